/**
 * The board when its join is refused as OVERLOADED (everyone reconnecting at once): it joins again
 * after the server's hint, not before and not never, and keeps the presence list from the frames.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../../protocol/model.ts';
import type { JoinAck, PresenceFrame } from '../../../../protocol/socket.ts';
import type { Api } from '../api.ts';
import { BoardState } from './board-state.svelte.ts';
import { wholeFirstScreen } from './test-builders.ts';
import { FakeLease } from './test-lease.ts';

const snapshot: Snapshot = {
  board: { id: 'b', name: 'Payments', key: 'K', role: 'developer', seq: 0 },
  members: [],
  columns: [],
  sprints: [],
  cards: [],
  seq: 0,
};

async function openBoard(replies: JoinAck[]) {
  const socket = new FakeLease(replies);
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket.lease,
    () => {},
  );
  await board.open();
  return { board, socket };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a join refused as OVERLOADED', () => {
  it('joins again once the server’s hint has passed', async () => {
    const { board, socket } = await openBoard([
      { ok: false, error: 'OVERLOADED', message: 'busy', retryAfterMs: 1500 },
      { ok: true, mode: 'events', seq: 0, events: [] },
    ]);
    expect(socket.joins).toHaveLength(1);
    expect(board.status).not.toBe('error');
    vi.advanceTimersByTime(1400);
    expect(socket.joins).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(socket.joins).toHaveLength(2);
    expect(board.status).toBe('live');
  });

  it('keeps who is on the board from the full list and the changes after it', async () => {
    const { board, socket } = await openBoard([{ ok: true, mode: 'events', seq: 0, events: [] }]);
    const presence = socket.listeners.get('presence')!;
    const ann = { instanceId: 'i1', userId: 'ann', name: 'Ann', draggingCardId: null };
    presence({ boardId: 'b', full: true, entries: [ann] } satisfies PresenceFrame);
    presence({
      boardId: 'b',
      set: [{ ...ann, instanceId: 'i2', userId: 'bob', name: 'Bob', draggingCardId: 'c1' }],
      gone: [],
    } satisfies PresenceFrame);
    expect(board.presence.map((u) => u.name)).toEqual(['Ann', 'Bob']);
    expect(board.draggedByOthers.get('c1')).toBe('Bob');
    presence({ boardId: 'b', set: [], gone: [{ instanceId: 'i1', userId: 'ann' }] } satisfies PresenceFrame);
    expect(board.presence.map((u) => u.name)).toEqual(['Bob']);
  });
});
