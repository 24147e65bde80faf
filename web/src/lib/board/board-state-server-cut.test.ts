/**
 * The board when the server cuts its socket (signed out on another tab, token revoked, session
 * expired): socket.io does not reconnect by itself, so the board asks over HTTP and either carries
 * on (reconnects) or says why it cannot.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../../protocol/model.ts';
import { type Api, ApiError } from '../api.ts';
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

async function openBoard(eventsAfter: () => Promise<unknown>) {
  const socket = new FakeLease();
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
    eventsAfter,
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

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a socket the server cut', () => {
  it('reconnects when the board can still be read', async () => {
    const { board, socket } = await openBoard(async () => []);
    socket.cut('io server disconnect');
    expect(board.status).toBe('reconnecting');
    await settled();
    expect(socket.connects).toBe(1);
  });

  it('says why and does not reconnect when the server refuses the board', async () => {
    const { board, socket } = await openBoard(async () => {
      throw new ApiError(404, 'NOT_FOUND', 'board not found', undefined, {});
    });
    socket.cut('io server disconnect');
    await settled();
    expect(socket.connects).toBe(0);
    expect(board.status).toBe('error');
    expect(board.error).toBe('board not found');
  });

  it('leaves a dropped connection to socket.io’s own reconnection', async () => {
    let asked = 0;
    const { board, socket } = await openBoard(async () => {
      asked++;
      return [];
    });
    socket.cut('transport close');
    await settled();
    expect(asked).toBe(0);
    expect(socket.connects).toBe(0);
    expect(board.status).toBe('reconnecting');
  });
});
