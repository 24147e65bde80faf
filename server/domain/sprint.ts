/**
 * The sprint state machine and its arithmetic, pure: planned → active → completed, at most one
 * active sprint per board, committed points fixed at start, and what happens to unfinished work.
 */
export type SprintState = 'planned' | 'active' | 'completed';

export type SprintRuleViolation = { field: string; message: string };

export function checkStart(state: SprintState, otherActive: boolean): SprintRuleViolation | null {
  if (state !== 'planned')
    return { field: 'state', message: `only a planned sprint can start (this one is ${state})` };
  if (otherActive)
    return { field: 'state', message: 'another sprint is already active on this board: complete it first' };
  return null;
}

/** A sprint lasts at most eight weeks, its first and last day included: a burndown has at most this many points. */
export const MAX_SPRINT_DAYS = 56;

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The sprint's dates (already real calendar days, see DateOnly): the end after the start, at most MAX_SPRINT_DAYS. */
export function checkSprintDates(dates: { startDate: string; endDate: string }): SprintRuleViolation | null {
  const length = dayNumber(dates.endDate) - dayNumber(dates.startDate) + 1;
  if (length <= 1) return { field: 'endDate', message: 'must be after startDate' };
  if (length > MAX_SPRINT_DAYS)
    return {
      field: 'endDate',
      message: `a sprint lasts at most ${MAX_SPRINT_DAYS} days (8 weeks): end on ${dateOf(dayNumber(dates.startDate) + MAX_SPRINT_DAYS - 1)} or earlier`,
    };
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

/**
 * The days a burndown shows: every day of the sprint. A sprint stored before dates were checked can
 * span millennia; its chart shows MAX_SPRINT_DAYS days, the ones up to `asOf` (today, or the day
 * it completed), so the report stays small whatever the row holds.
 */
export function burndownWindow(startDate: string, endDate: string, asOf: Date) {
  const start = dayNumber(startDate);
  const end = Math.max(start, dayNumber(endDate));
  const last = Math.min(end, Math.max(start + MAX_SPRINT_DAYS - 1, Math.floor(asOf.getTime() / DAY_MS)));
  const first = Math.max(start, last - MAX_SPRINT_DAYS + 1);
  return {
    from: dateOf(first),
    to: dateOf(last),
    /** index of `from` among all the sprint's days, and how many days the sprint has, for the ideal line */
    offset: first - start,
    sprintDays: end - start + 1,
  };
}

/**
 * Burndown: remaining points at the end of each shown day, from the points done by then (summed in
 * PostgreSQL). Days after `today` have no remaining value yet (null) so the chart stops at today.
 */
export function burndown(
  window: ReturnType<typeof burndownWindow>,
  committed: number,
  burntBy: ReadonlyMap<string, number>,
  today: Date,
) {
  const todayKey = today.toISOString().slice(0, 10);
  const step = window.sprintDays > 1 ? committed / (window.sprintDays - 1) : committed;
  const days: { date: string; remaining: number | null; ideal: number }[] = [];
  for (let day = dayNumber(window.from), index = window.offset; day <= dayNumber(window.to); day++, index++) {
    const date = dateOf(day);
    days.push({
      date,
      remaining: date <= todayKey ? committed - (burntBy.get(date) ?? 0) : null,
      ideal: Math.max(0, Math.round((committed - step * index) * 100) / 100),
    });
  }
  return { committed, days };
}
