import { describe, expect, it } from 'vitest';
import { compareRanks, placeRank, rankBetween, ranksAfter } from './rank.ts';

describe('backlog ranking', () => {
  it('puts a key strictly between its neighbours, in byte order', () => {
    const [a, b] = ranksAfter(null, 2) as [string, string];
    const mid = rankBetween(a, b);
    expect(compareRanks(a, mid)).toBe(-1);
    expect(compareRanks(mid, b)).toBe(-1);
  });

  it('keeps a strict order after many inserts at the same spot', () => {
    let lo = rankBetween(null, null);
    const hi = rankBetween(lo, null);
    const seen = new Set<string>([lo, hi]);
    for (let i = 0; i < 500; i++) {
      lo = rankBetween(lo, hi);
      expect(seen.has(lo)).toBe(false);
      seen.add(lo);
      expect(compareRanks(lo, hi)).toBe(-1);
    }
  });

  it('places a card right after its upper neighbour in the global order', () => {
    const [anchor, next] = ranksAfter(null, 2) as [string, string];
    const r = placeRank({ kind: 'after', anchor, next });
    expect(anchor < r && r < next).toBe(true);
    expect(placeRank({ kind: 'after', anchor: next, next: null }) > next).toBe(true);
  });

  it('places a card right before its lower neighbour, and at the very top', () => {
    const [previous, anchor] = ranksAfter(null, 2) as [string, string];
    const r = placeRank({ kind: 'before', anchor, previous });
    expect(previous < r && r < anchor).toBe(true);
    expect(placeRank({ kind: 'before', anchor: previous, previous: null }) < previous).toBe(true);
  });

  it('keeps the rank when a card is dropped with no neighbours', () => {
    expect(placeRank({ kind: 'keep', current: 'a5' })).toBe('a5');
  });
});
