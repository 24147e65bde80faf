/**
 * The sprint state machine and its arithmetic, pure: planned → active → completed, at most one
 * active sprint per board, committed points fixed at start, and what happens to unfinished work.
 */
export type SprintState = 'planned' | 'active' | 'completed';

export type SprintRuleViolation = { field: string; message: string };

export function checkStart(
  state: SprintState,
  otherActive: boolean,
  dates: { startDate: string; endDate: string },
): SprintRuleViolation | null {
  if (state !== 'planned')
    return { field: 'state', message: `only a planned sprint can start (this one is ${state})` };
  if (otherActive)
    return { field: 'state', message: 'another sprint is already active on this board: complete it first' };
  if (dates.endDate <= dates.startDate) return { field: 'endDate', message: 'must be after startDate' };
  return null;
}

export function checkComplete(state: SprintState): SprintRuleViolation | null {
  return state === 'active'
    ? null
    : { field: 'state', message: `only an active sprint can be completed (this one is ${state})` };
}

export interface SprintItem {
  id: string;
  estimate: number | null;
  done: boolean;
}

export const points = (items: readonly SprintItem[]) => items.reduce((sum, i) => sum + (i.estimate ?? 0), 0);

/** At completion: done items stay with the sprint; the rest are carried over, in their order. */
export function splitAtCompletion<T extends SprintItem>(items: readonly T[]) {
  const done = items.filter((i) => i.done);
  const unfinished = items.filter((i) => !i.done);
  return { done, unfinished, completedPoints: points(done) };
}

/** Days from start to end inclusive, as YYYY-MM-DD (UTC). */
export function sprintDays(startDate: string, endDate: string): string[] {
  const days: string[] = [];
  for (
    let d = new Date(`${startDate}T00:00:00Z`);
    d <= new Date(`${endDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1)
  ) {
    days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Burndown: remaining points at the end of each sprint day, from when each committed item was done.
 * Days after `today` have no remaining value yet (null) so the chart stops at today.
 */
export function burndown(
  startDate: string,
  endDate: string,
  items: readonly { estimate: number | null; doneAt: Date | null }[],
  today: Date,
) {
  const days = sprintDays(startDate, endDate);
  const committed = items.reduce((s, i) => s + (i.estimate ?? 0), 0);
  const todayKey = today.toISOString().slice(0, 10);
  const step = days.length > 1 ? committed / (days.length - 1) : committed;
  return {
    committed,
    days: days.map((date, index) => {
      const endOfDay = new Date(`${date}T23:59:59.999Z`);
      const burnt = items.reduce((s, i) => s + (i.doneAt && i.doneAt <= endOfDay ? (i.estimate ?? 0) : 0), 0);
      return {
        date,
        remaining: date <= todayKey ? committed - burnt : null,
        ideal: Math.max(0, Math.round((committed - step * index) * 100) / 100),
      };
    }),
  };
}
