/**
 * Kanban flow metrics, pure: a cumulative flow diagram replayed from board events, and cycle/lead
 * times from flow timestamps.
 */
export interface CardPlacementEvent {
  at: Date;
  /** the card's column after the event (null = backlog or removed) */
  placements: { cardId: string; columnId: string | null }[];
}

/** Count of cards per column at the end of each day, replaying placements in order. */
export function cumulativeFlow(
  events: readonly CardPlacementEvent[],
  columnIds: readonly string[],
  days: readonly string[],
) {
  const where = new Map<string, string | null>();
  const result: { date: string; counts: Record<string, number> }[] = [];
  let i = 0;
  for (const date of days) {
    const endOfDay = new Date(`${date}T23:59:59.999Z`);
    for (; i < events.length && events[i]!.at <= endOfDay; i++) {
      for (const p of events[i]!.placements) where.set(p.cardId, p.columnId);
    }
    const counts: Record<string, number> = Object.fromEntries(columnIds.map((id) => [id, 0]));
    for (const columnId of where.values()) if (columnId && columnId in counts) counts[columnId]!++;
    result.push({ date, counts });
  }
  return result;
}

const HOUR = 3_600_000;
export function cycleAndLead(card: { createdAt: Date; startedAt: Date | null; doneAt: Date | null }) {
  return {
    cycleTimeHours:
      card.startedAt && card.doneAt ? round((card.doneAt.getTime() - card.startedAt.getTime()) / HOUR) : null,
    leadTimeHours: card.doneAt ? round((card.doneAt.getTime() - card.createdAt.getTime()) / HOUR) : null,
  };
}

/** Whole days a card has been in progress (for the ageing indicator). */
export function ageInDays(startedAt: Date, now: Date): number {
  return Math.floor((now.getTime() - startedAt.getTime()) / (24 * HOUR));
}

const round = (n: number) => Math.round(n * 10) / 10;

export function lastDays(n: number, today: Date): string[] {
  const out: string[] = [];
  for (let k = n - 1; k >= 0; k--)
    out.push(new Date(today.getTime() - k * 24 * HOUR).toISOString().slice(0, 10));
  return out;
}
