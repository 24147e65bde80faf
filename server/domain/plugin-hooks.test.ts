import { describe, expect, it } from 'vitest';
import type { BoardEvent, BoardEventOf } from '../../protocol/events.ts';
import { hookNamesFor } from './plugin-hooks.ts';

const envelope = {
  boardId: 'b',
  seq: 1,
  cardId: 'c',
  actor: { id: null, label: 'x' },
  at: new Date(0).toISOString(),
};
const place = (columnId: string | null) => ({
  rank: 'a0',
  columnId,
  sprintId: null,
  stream: 'maintenance' as const,
});

/** A move of card c from one column (null: the backlog) to another. */
const moved = (from: string | null, to: string | null): BoardEventOf<'card.moved'> => ({
  ...envelope,
  type: 'card.moved',
  payload: {
    card: { id: 'c', version: 2, ...place(to), startedAt: null, doneAt: null, updatedAt: envelope.at },
    from: place(from),
  },
});
const done = new Set(['done-col']);

describe('board event hooks', () => {
  it('calls a move into a done column a resolution, and out of one a reopening', () => {
    expect(hookNamesFor(moved('wip', 'done-col'), done)).toEqual(['card.moved', 'card.resolved']);
    expect(hookNamesFor(moved('done-col', null), done)).toEqual(['card.moved', 'card.reopened']);
    expect(hookNamesFor(moved(null, 'wip'), done)).toEqual(['card.moved']);
  });

  it('passes other events through by type', () => {
    const deleted: BoardEvent = {
      ...envelope,
      type: 'card.deleted',
      payload: { cardId: 'c', key: 'OPS-1', title: 'Gone' },
    };
    expect(hookNamesFor(deleted, done)).toEqual(['card.deleted']);
  });
});
