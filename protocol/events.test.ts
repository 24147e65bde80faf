import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { type BoardEvent, BoardEventSchema, exhaustive } from './events.ts';

const deleted: BoardEvent = {
  type: 'card.deleted',
  boardId: '00000000-0000-4000-8000-000000000001',
  seq: 7,
  cardId: '00000000-0000-4000-8000-000000000002',
  actor: { id: null, label: 'Ada' },
  at: new Date(0).toISOString(),
  payload: { cardId: '00000000-0000-4000-8000-000000000002', key: 'OPS-1', title: 'Gone' },
};

/** A switch that forgot every kind but one: the compiler must refuse its `exhaustive` call. */
function forgetful(e: BoardEvent): string {
  switch (e.type) {
    case 'card.deleted':
      return e.payload.key;
    default:
      // @ts-expect-error the other kinds are unhandled, so `e` is not `never` here
      exhaustive(e);
      return 'unhandled';
  }
}

describe('the board event union', () => {
  it('checks a payload against its kind', () => {
    expect(Value.Check(BoardEventSchema, deleted)).toBe(true);
    expect(Value.Check(BoardEventSchema, { ...deleted, payload: { cardId: deleted.cardId } })).toBe(false);
    expect(Value.Check(BoardEventSchema, { ...deleted, type: 'card.exploded' })).toBe(false);
  });

  it('lets a switch skip a kind it does not know at run time (a newer server’s), without throwing', () => {
    const fromNewerServer = { ...deleted, type: 'card.released' } as unknown as BoardEvent;
    expect(forgetful(fromNewerServer)).toBe('unhandled');
    expect(forgetful(deleted)).toBe('OPS-1');
  });
});
