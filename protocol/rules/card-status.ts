/**
 * Whether a card is done, the one rule for the server and the web app: a card is done when it sits
 * in a column of the `done` category (a sprint board's or a Kanban's). Completing a sprint keeps
 * its done cards there and sends the rest back (server/sprints), so cards of completed sprints are
 * done by this rule too. A done card keeps its rank: moved out of the done column it is open again,
 * back where it was in the backlog.
 */
import type { Card } from '../model.ts';

export type ColumnCategory = 'todo' | 'in_progress' | 'done';

/** The backlog's status filter: open work (the default), the archive of done cards, or both. */
export const CARD_STATUS_FILTERS = ['open', 'done', 'all'] as const;
export type CardStatusFilter = (typeof CARD_STATUS_FILTERS)[number];

/** A column of this category holds finished work. */
export function isDoneCategory(category: ColumnCategory | null | undefined): boolean {
  return category === 'done';
}

/** The card is done: its column (looked up by id) is a done column. */
export function isCardDone(
  card: Pick<Card, 'columnId'>,
  columnCategory: (columnId: string) => ColumnCategory | undefined,
): boolean {
  return card.columnId !== null && isDoneCategory(columnCategory(card.columnId));
}

/** Whether a card of this doneness passes the status filter. */
export function matchesStatus(done: boolean, filter: CardStatusFilter): boolean {
  return filter === 'all' || (filter === 'done') === done;
}
