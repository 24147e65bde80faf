/**
 * The board's releases follow the server: read beside the snapshot, then changed by
 * `release.created` / `release.updated` events in sequence order. A list that answers late (read
 * before an event it does not include) never undoes the event.
 */
import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { Snapshot } from '../../../../protocol/model.ts';
import type { Release } from '../../../../protocol/releases.ts';
import type { Api } from '../api.ts';
import { BoardState } from './board-state.svelte.ts';
import { aRelease, wholeFirstScreen } from './test-builders.ts';
import { FakeLease } from './test-lease.ts';

const snapshot: Snapshot = {
  board: { id: 'b', name: 'Payments', key: 'K', role: 'developer', seq: 0 },
  members: [],
  columns: [],
  sprints: [],
  cards: [],
  seq: 0,
};

const actor = { id: 'u', label: 'Pat' };
const created = (seq: number, release: Release): BoardEvent => ({
  type: 'release.created',
  boardId: 'b',
  seq,
  cardId: null,
  actor,
  at: '2026-12-04T00:00:00.000Z',
  payload: { release },
});
const updated = (seq: number, release: Release, change: string): BoardEvent => ({
  type: 'release.updated',
  boardId: 'b',
  seq,
  cardId: null,
  actor,
  at: '2026-12-04T00:00:00.000Z',
  payload: { release, change },
});

async function openBoard() {
  const socket = new FakeLease();
  let answerList: (list: Release[]) => void = () => {};
  const list = new Promise<Release[]>((resolve) => {
    answerList = resolve;
  });
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
    request: (method: string, path: string) =>
      method === 'GET' && path === '/api/boards/b/releases' ? list : Promise.reject(new Error(path)),
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket.lease,
    () => {},
  );
  await board.open();
  return { board, socket, answerList };
}

describe('the releases on an open board', () => {
  it('events add and change releases; a late list does not undo them', async () => {
    const { board, socket, answerList } = await openBoard();
    socket.deliver([
      created(1, aRelease({ id: 'r1', version: '2.4.0', revision: 1 })),
      updated(2, aRelease({ id: 'r1', version: '2.4.0', revision: 2, cardIds: ['c1'] }), 'scope'),
      updated(
        3,
        aRelease({
          id: 'r1',
          version: '2.4.0',
          revision: 3,
          state: 'stopped',
          reached: 0,
          cardIds: ['c1'],
          stop: { environment: 'system-test', runId: 'run-9', kind: 'deployment' },
        }),
        'stopped',
      ),
    ]);
    expect(board.releases.map((r) => [r.id, r.state, r.revision])).toEqual([['r1', 'stopped', 3]]);
    expect(board.releaseByCard.get('c1')?.version).toBe('2.4.0');

    // The list was read before the stop: it still says revision 1, planned; and knows another release.
    answerList([aRelease({ id: 'r1', revision: 1 }), aRelease({ id: 'r0', version: '2.3.0', revision: 4 })]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(board.releases.find((r) => r.id === 'r1')?.state).toBe('stopped');
    expect(board.releases.map((r) => r.id).sort()).toEqual(['r0', 'r1']);
  });

  it('an event out of order waits for the ones before it', async () => {
    const { board, socket } = await openBoard();
    socket.deliver([
      updated(2, aRelease({ id: 'r1', revision: 2, state: 'on_path', reached: 0 }), 'deployed'),
    ]);
    expect(board.releases).toEqual([]);
    socket.deliver([created(1, aRelease({ id: 'r1', revision: 1 }))]);
    expect(board.releases.map((r) => r.state)).toEqual(['on_path']);
  });
});
