import { describe, expect, it } from 'vitest';
import type { Card, CardPlacement } from '../../../../protocol/model.ts';
import { applyPlacement, placeCard } from './backlog-order.ts';
import { aCard } from './test-builders.ts';

const card = (id: string, rank: string, extra: Partial<Card> = {}): Card =>
  aCard({ id, rank, labels: ['ui'], estimate: 3, ...extra });

const placement = (c: Card, change: Partial<CardPlacement>): CardPlacement => ({
  id: c.id,
  version: c.version + 1,
  rank: c.rank,
  columnId: c.columnId,
  sprintId: c.sprintId,
  stream: c.stream,
  startedAt: c.startedAt,
  doneAt: c.doneAt,
  updatedAt: '2026-12-02T00:00:00.000Z',
  ...change,
});

describe('applyPlacement (a card.moved event on the client)', () => {
  it('moves the held card to its new place and keeps the fields the event leaves out', () => {
    const a = card('a', 'a0');
    const b = card('b', 'a1');
    const c = card('c', 'a2', { title: 'keep me', labels: ['x', 'y'], estimate: 8 });
    const cards = [a, b, c];
    expect(applyPlacement(cards, placement(c, { rank: 'Zz', columnId: 'col-1' }))).toBe('applied');
    expect(cards.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    expect(cards[0]).toEqual({
      ...c,
      rank: 'Zz',
      columnId: 'col-1',
      version: 2,
      updatedAt: '2026-12-02T00:00:00.000Z',
    });
  });

  it('ignores a placement older than the card held (the reply and the broadcast race)', () => {
    const a = card('a', 'a0', { version: 5 });
    const cards = [a, card('b', 'a1')];
    expect(applyPlacement(cards, { ...placement(a, { rank: 'a5' }), version: 4 })).toBe('stale');
    expect(cards[0]).toBe(a);
  });

  it('reports a card it does not hold, and adds nothing', () => {
    const cards = [card('a', 'a0')];
    expect(applyPlacement(cards, placement(card('z', 'a1'), {}))).toBe('unknown');
    expect(cards.map((x) => x.id)).toEqual(['a']);
  });
});

describe('an optimistic move (placeCard), by the rules the server will apply', () => {
  const ids = (cards: readonly Card[]) => cards.map((x) => x.id);

  it('puts the card right after the card above it, even when the card below is named too', () => {
    const cards = [card('a', 'a0'), card('b', 'a1'), card('c', 'a2'), card('d', 'a3')];
    placeCard(cards, { cardId: 'd', afterId: 'a', beforeId: 'c' });
    expect(ids(cards)).toEqual(['a', 'd', 'b', 'c']);
    placeCard(cards, { cardId: 'a', afterId: null, beforeId: 'c' });
    expect(ids(cards)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('handing a card to the other stream returns it to the backlog and takes it out of its sprint', () => {
    const cards = [card('a', 'a0', { columnId: 'todo', sprintId: 's1' })];
    placeCard(cards, { cardId: 'a', stream: 'maintenance' });
    expect(cards[0]).toMatchObject({ stream: 'maintenance', columnId: null, sprintId: null });
  });

  it('into a column keeps the sprint', () => {
    const cards = [card('a', 'a0', { sprintId: 's1' })];
    placeCard(cards, { cardId: 'a', columnId: 'doing' });
    expect(cards[0]).toMatchObject({ columnId: 'doing', sprintId: 's1' });
  });

  it('leaves the card where it is when its neighbour has vanished meanwhile', () => {
    const cards = [card('a', 'a0'), card('b', 'a1')];
    placeCard(cards, { cardId: 'a', afterId: 'gone' });
    expect(ids(cards)).toEqual(['a', 'b']);
  });
});
