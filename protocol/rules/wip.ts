/**
 * WIP policy for Kanban columns, pure. A column may have a limit; with the `hard` policy a move that
 * would exceed it is refused, with `warn` it is accepted and flagged. Expedite items may be exempt
 * (by column policy): they neither count toward the limit nor are stopped by it.
 *
 * The server rules on a move with a count taken under the column's lock (server/cards/move-facts.ts);
 * the web app counts the cards it holds with the same rules to warn before the drop.
 */
import type { ClassOfService } from '../model.ts';

export interface WipColumn {
  name: string;
  wipLimit: number | null;
  wipPolicy: 'hard' | 'warn';
  expediteExempt: boolean;
}

export type WipDecision =
  | { kind: 'allow' }
  | { kind: 'warn'; message: string }
  | { kind: 'refuse'; message: string };

/** Whether a card of this class counts toward the column's limit. */
export function countsTowardLimit(column: WipColumn, classOfService: ClassOfService): boolean {
  return !(column.expediteExempt && classOfService === 'expedite');
}

/** How many of `cards` sit in the column and count toward its limit. */
export function wipOccupancy(
  column: WipColumn & { id: string },
  cards: readonly { columnId: string | null; classOfService: ClassOfService }[],
): number {
  let count = 0;
  for (const c of cards) if (c.columnId === column.id && countsTowardLimit(column, c.classOfService)) count++;
  return count;
}

/**
 * @param occupancy cards already in the column that count toward its limit (not the moving card)
 */
export function decideWip(column: WipColumn, occupancy: number, incoming: ClassOfService): WipDecision {
  if (column.wipLimit === null || !countsTowardLimit(column, incoming)) return { kind: 'allow' };
  if (occupancy < column.wipLimit) return { kind: 'allow' };
  const message = `column "${column.name}" is at its WIP limit of ${column.wipLimit}`;
  return column.wipPolicy === 'hard'
    ? { kind: 'refuse', message }
    : { kind: 'warn', message: `${message} (over the limit, by warn policy)` };
}
