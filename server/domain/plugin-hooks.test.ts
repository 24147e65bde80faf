import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../protocol/model.ts';
import { hookNamesFor } from './plugin-hooks.ts';

const event = (type: string, payload: Record<string, unknown>): BoardEvent => ({
  boardId: 'b',
  seq: 1,
  type,
  cardId: 'c',
  actor: { id: null, label: 'x' },
  at: new Date(0).toISOString(),
  payload,
});
const done = new Set(['done-col']);

describe('board event hooks', () => {
  it('calls a move into a done column a resolution, and out of one a reopening', () => {
    expect(
      hookNamesFor(event('card.moved', { card: { columnId: 'done-col' }, from: { columnId: 'wip' } }), done),
    ).toEqual(['card.moved', 'card.resolved']);
    expect(
      hookNamesFor(event('card.moved', { card: { columnId: null }, from: { columnId: 'done-col' } }), done),
    ).toEqual(['card.moved', 'card.reopened']);
    expect(
      hookNamesFor(event('card.moved', { card: { columnId: 'wip' }, from: { columnId: null } }), done),
    ).toEqual(['card.moved']);
  });

  it('passes other events through by type', () => {
    expect(hookNamesFor(event('card.created', {}), done)).toEqual(['card.created']);
  });
});
