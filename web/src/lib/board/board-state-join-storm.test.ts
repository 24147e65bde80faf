/**
 * The board when its join is refused as OVERLOADED (everyone reconnecting at once): it joins again
 * after the server's hint, not before and not never, and keeps the presence list from the frames.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../../protocol/model.ts';
import type { JoinAck, PresenceFrame } from '../../../../protocol/socket.ts';
import type { Api } from '../api.ts';
import type { SocketLease } from '../socket.ts';
import { BoardState } from './board-state.svelte.ts';
import { wholeFirstScreen } from './test-builders.ts';

/** Answers joins from a script of replies; the test fires its listeners. */
class FakeSocket {
  connected = true;
  active = true;
  joins = 0;
  listeners = new Map<string, (...args: unknown[]) => void>();
  constructor(private readonly replies: JoinAck[]) {}
  on(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.set(event, listener);
  }
  emit() {}
  timeout() {
    return {
      emit: (event: string, _frame: unknown, ack: (err: Error | null, reply: unknown) => void) => {
        if (event !== 'board:join') return;
        const reply = this.replies[Math.min(this.joins, this.replies.length - 1)]!;
        this.joins++;
        ack(null, reply);
      },
    };
  }
}

const snapshot: Snapshot = {
  board: { id: 'b', name: 'Payments', key: 'K', role: 'developer', seq: 0 },
  members: [],
  columns: [],
  sprints: [],
  cards: [],
  seq: 0,
};

async function openBoard(replies: JoinAck[]) {
  const socket = new FakeSocket(replies);
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket as unknown as SocketLease,
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
    expect(socket.joins).toBe(1);
    expect(board.status).not.toBe('error');
    vi.advanceTimersByTime(1400);
    expect(socket.joins).toBe(1);
    vi.advanceTimersByTime(200);
    expect(socket.joins).toBe(2);
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
