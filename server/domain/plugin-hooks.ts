/**
 * Which plugin hooks a committed board event triggers, pure. Besides the event's own type, a move
 * into a done column is also `card.resolved`, and a move out of one `card.reopened`.
 */
import type { BoardEvent } from '../../protocol/events.ts';

/** @param doneColumnIds the board's columns of category done */
export function hookNamesFor(event: BoardEvent, doneColumnIds: ReadonlySet<string>): string[] {
  const names: string[] = [event.type];
  if (event.type === 'card.moved') {
    const { card, from } = event.payload;
    const wasDone = from.columnId ? doneColumnIds.has(from.columnId) : false;
    const isDone = card.columnId ? doneColumnIds.has(card.columnId) : false;
    if (isDone && !wasDone) names.push('card.resolved');
    if (!isDone && wasDone) names.push('card.reopened');
  }
  return names;
}
