/**
 * Backlog ranking. Ranks are fractional keys (the `fractional-indexing` library): moving a card
 * writes one row, and byte order of the keys is the backlog order.
 *
 * A move names the neighbours the user dropped the card between, as the user saw them. Other cards
 * (hidden by a filter, or in another column) may sit between those neighbours in the global order, so
 * the card is placed right after its upper neighbour (or right before its lower one) in the global
 * order: it lands where the user dropped it in every view.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import type { Rank } from '../../protocol/rules/placement.ts';

// Order is a rule the web app shares (protocol/rules/placement.ts); making keys is the server's.
export { compareRanks, type Rank } from '../../protocol/rules/placement.ts';

/** A key strictly between lo and hi (null = open end). */
export function rankBetween(lo: Rank | null, hi: Rank | null): Rank {
  return generateKeyBetween(lo, hi);
}

/** n increasing keys after `after` (null = from the start). */
export function ranksAfter(after: Rank | null, n: number): Rank[] {
  return generateNKeysBetween(after, null, n);
}

/**
 * Where a moved card goes, given the global neighbours the database found for its drop target.
 * - after an anchor: between the anchor and the next card in global order;
 * - before an anchor: between the previous card in global order and the anchor;
 * - no anchor (dropped into an empty list): keep the current rank.
 */
export function placeRank(
  target:
    | { kind: 'after'; anchor: Rank; next: Rank | null }
    | { kind: 'before'; anchor: Rank; previous: Rank | null }
    | { kind: 'keep'; current: Rank },
): Rank {
  switch (target.kind) {
    case 'after':
      return rankBetween(target.anchor, target.next);
    case 'before':
      return rankBetween(target.previous, target.anchor);
    case 'keep':
      return target.current;
  }
}

/** n increasing keys that all sort before `first` (null = empty list). */
export function generateRanksBefore(first: Rank | null, n: number): Rank[] {
  return generateNKeysBetween(null, first, n);
}
