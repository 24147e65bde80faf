/**
 * The backlog's order on the client, as pure functions: cards sorted by their fractional rank (byte
 * order, as the server's `COLLATE "C"`), upserts that never let an older version win, and the
 * optimistic placement of a card between the neighbours the user dropped it next to (and into the
 * column, sprint or stream it was dropped on).
 */
import type { Card, CardPlacement, Stream } from '../../../../protocol/model.ts';
import { anchorOf, compareRanks, landing } from '../../../../protocol/rules/placement.ts';

/** Rank order, the server's; the id breaks the (unexpected) tie so every client agrees. */
export function compareCards(a: Card, b: Card): number {
  return compareRanks(a.rank, b.rank) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function insertionIndex(cards: readonly Card[], card: Card): number {
  let lo = 0;
  let hi = cards.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCards(cards[mid]!, card) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Put `card` into the rank-sorted `cards` (in place). A version older than the one held is ignored:
 * an HTTP reply and the broadcast of the same change may arrive in either order.
 * Returns whether anything changed.
 */
export function upsertByRank(cards: Card[], card: Card): boolean {
  const at = cards.findIndex((c) => c.id === card.id);
  if (at >= 0) {
    const held = cards[at]!;
    if (held.version > card.version) return false;
    if (held.rank === card.rank) {
      cards[at] = card;
      return true;
    }
    cards.splice(at, 1);
  }
  cards.splice(insertionIndex(cards, card), 0, card);
  return true;
}

/**
 * Merge a `card.moved` event's placement onto the card held in `cards` (in place, kept in rank
 * order). 'unknown': no such card is held, so the placement alone cannot make one (the caller
 * should reload); 'stale': the held copy is newer.
 */
export function applyPlacement(cards: Card[], placement: CardPlacement): 'applied' | 'stale' | 'unknown' {
  const held = cards.find((c) => c.id === placement.id);
  if (!held) return 'unknown';
  return upsertByRank(cards, { ...held, ...placement }) ? 'applied' : 'stale';
}

export function removeCard(cards: Card[], cardId: string): boolean {
  const at = cards.findIndex((c) => c.id === cardId);
  if (at < 0) return false;
  cards.splice(at, 1);
  return true;
}

export interface Placement {
  cardId: string;
  /** the card now directly above it, in the list the user saw */
  afterId?: string | null;
  /** the card now directly below it */
  beforeId?: string | null;
  /** a column of the card's stream, or null for the backlog; absent: unchanged */
  columnId?: string | null;
  /** a planned or active sprint, or null for none; absent: unchanged */
  sprintId?: string | null;
  stream?: Stream;
  /** only while the card is still at this version (an undo); the server refuses it otherwise */
  expectedVersion?: number;
}

/** Whether the placement changes more than the card's rank. */
export function changesPlace(p: Placement): boolean {
  return p.columnId !== undefined || p.sprintId !== undefined || p.stream !== undefined;
}

/** The card as the server will have it after the move (the shared landing rule). */
export function withPlacement(card: Card, p: Placement): Card {
  return changesPlace(p) ? { ...card, ...landing(card, p) } : card;
}

/**
 * Move a card next to its new neighbours (in place), the way the server will (the shared anchor
 * rule). A neighbour that has meanwhile vanished leaves the card where it is.
 */
export function placeCard(cards: Card[], p: Placement): void {
  const from = cards.findIndex((c) => c.id === p.cardId);
  if (from < 0) return;
  cards[from] = withPlacement(cards[from]!, p);
  const anchor = anchorOf(p);
  if (!anchor || !cards.some((c) => c.id === anchor.id)) return;
  const [card] = cards.splice(from, 1);
  const at = cards.findIndex((c) => c.id === anchor.id);
  cards.splice(anchor.side === 'after' ? at + 1 : at, 0, card!);
}

/** The neighbours of the card at `index` once it sits there, as the server's move wants them. */
export function neighboursAt(
  order: readonly Card[],
  index: number,
): { afterId: string | null; beforeId: string | null } {
  return { afterId: order[index - 1]?.id ?? null, beforeId: order[index + 1]?.id ?? null };
}

/** `list` with the item at `from` moved to `to` (a new array). */
export function arrayMove<T>(list: readonly T[], from: number, to: number): T[] {
  const next = list.slice();
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}

export type MoveStep = 'up' | 'down' | 'top' | 'bottom';

/** Where a keyboard or button move takes the card at `from` in a list of `length`. */
export function stepTarget(from: number, step: MoveStep, length: number): number {
  const to = step === 'up' ? from - 1 : step === 'down' ? from + 1 : step === 'top' ? 0 : length - 1;
  return Math.max(0, Math.min(length - 1, to));
}
