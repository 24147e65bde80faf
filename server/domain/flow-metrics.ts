/**
 * Kanban flow metrics, pure: cycle/lead times from flow timestamps, card age, and the days a report
 * covers. (The cumulative flow diagram is counted in PostgreSQL: server/reports/repo.ts.)
 */
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
