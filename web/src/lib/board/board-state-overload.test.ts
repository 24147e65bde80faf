/**
 * The board when the server sheds load: a move refused OVERLOADED goes back to the server's place
 * with a message saying when to try again, and no move is sent until then.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../../protocol/model.ts';
import type { MoveAck } from '../../../../protocol/socket.ts';
import type { Api } from '../api.ts';
import { BoardState } from './board-state.svelte.ts';
import { aCard, wholeFirstScreen } from './test-builders.ts';
import { FakeLease } from './test-lease.ts';

const snapshot: Snapshot = {
  board: { id: 'b', name: 'Payments', key: 'K', role: 'developer', seq: 0 },
  members: [],
  columns: [],
  sprints: [],
  cards: [aCard({ id: 'a', rank: 'a0' }), aCard({ id: 'b', rank: 'a1' }), aCard({ id: 'c', rank: 'a2' })],
  seq: 0,
};

async function openBoard() {
  const socket = new FakeLease();
  const messages: string[] = [];
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket.lease,
    (m) => messages.push(m),
  );
  await board.open();
  return { board, socket, messages, order: () => board.cards.map((c) => c.id) };
}

const overloaded: MoveAck = {
  ok: false,
  error: 'OVERLOADED',
  message: 'the server is too busy to move cards on this board right now; try again in 2 s',
  retryAfterMs: 2000,
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-03T12:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('a move refused because the server is overloaded', () => {
  it('returns the card to the server’s place and says the server is busy and when to try again', async () => {
    const { board, socket, messages, order } = await openBoard();
    board.moveCard({ cardId: 'c', beforeId: 'a' });
    expect(order()).toEqual(['c', 'a', 'b']);
    socket.moves[0]!.answer(overloaded);
    expect(order()).toEqual(['a', 'b', 'c']);
    expect(messages).toEqual([
      expect.stringMatching(/^K-c was not moved: the server is busy\. Try again in [23] s\.$/),
    ]);
  });

  it('sends no move until the wait has passed, then sends again', async () => {
    const { board, socket, messages, order } = await openBoard();
    board.moveCard({ cardId: 'c', beforeId: 'a' });
    socket.moves[0]!.answer(overloaded);

    vi.advanceTimersByTime(1000);
    board.moveCard({ cardId: 'b', beforeId: 'a' });
    expect(socket.moves).toHaveLength(1);
    expect(order()).toEqual(['a', 'b', 'c']);
    expect(messages.at(-1)).toMatch(/^The server is busy; try moving again in [12] s\.$/);

    vi.advanceTimersByTime(1600);
    board.moveCard({ cardId: 'b', beforeId: 'a' });
    expect(socket.moves).toHaveLength(2);
    expect(order()).toEqual(['b', 'a', 'c']);
  });
});
