/**
 * The board keeps each release's hyper-care from `hypercare.updated` events (newer revisions only, so
 * a late HTTP answer never undoes an event) and the tickets linked to it from `hypercare.incident`.
 */
import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { Hypercare, HypercareIncident } from '../../../../protocol/hypercare.ts';
import type { Snapshot } from '../../../../protocol/model.ts';
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
const actor = { id: 'u', label: 'Pat' };
const at = '2026-12-04T00:00:00.000Z';

const care = (revision: number, over: Partial<Hypercare> = {}): Hypercare => ({
  releaseId: 'r1',
  boardId: 'b',
  version: '8.0.0',
  state: 'active',
  startedAt: at,
  endsAt: '2026-12-18T00:00:00.000Z',
  exitedAt: null,
  ownerStream: 'development',
  handoverPoint: 'end_of_hypercare',
  handover: 'open',
  checklist: [{ key: 'runbook', label: 'Runbook updated', done: false }],
  decisions: [],
  revision,
  ...over,
});
const updated = (seq: number, hypercare: Hypercare, change: string): BoardEvent => ({
  type: 'hypercare.updated',
  boardId: 'b',
  seq,
  cardId: null,
  actor,
  at,
  payload: { hypercare, change },
});
const linked = (seq: number, incident: HypercareIncident): BoardEvent => ({
  type: 'hypercare.incident',
  boardId: 'b',
  seq,
  cardId: incident.cardId,
  actor,
  at,
  payload: { incident },
});
const incident = (cardId: string, over: Partial<HypercareIncident> = {}): HypercareIncident => ({
  releaseId: 'r1',
  version: '8.0.0',
  cardId,
  cardKey: `K-${cardId}`,
  stream: 'development',
  hypercare: true,
  ownerStream: 'development',
  ...over,
});

async function openBoard(answer: () => Promise<Hypercare>) {
  const socket = new FakeLease();
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
    request: (method: string, path: string) =>
      method === 'GET' && path === '/api/boards/b/releases/r1/hypercare'
        ? answer()
        : method === 'GET' && path === '/api/boards/b/releases'
          ? Promise.resolve([])
          : Promise.reject(new Error(path)),
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

describe('hyper-care on an open board', () => {
  it('follows hypercare.updated; a late read of an older revision does not undo it', async () => {
    let release: (h: Hypercare) => void = () => {};
    const { board, socket } = await openBoard(() => new Promise((resolve) => (release = resolve)));
    const loading = board.loadHypercare('r1');
    socket.deliver([
      updated(1, care(1), 'started'),
      updated(2, care(2, { handover: 'accepted' }), 'accepted'),
    ]);
    expect(board.hypercare.r1?.handover).toBe('accepted');
    release(care(1));
    await loading;
    expect(board.hypercare.r1?.revision).toBe(2);
    socket.deliver([updated(3, care(3, { state: 'exited', exitedAt: at }), 'exited')]);
    expect(board.hypercare.r1?.state).toBe('exited');
  });

  it('keeps the linked tickets per release, newest first, one entry per card', async () => {
    const { board, socket } = await openBoard(() => Promise.resolve(care(1)));
    socket.deliver([
      linked(1, incident('c1')),
      linked(2, incident('c2', { stream: 'maintenance', hypercare: false })),
      linked(3, incident('c1', { stream: 'maintenance', hypercare: false })),
    ]);
    expect(board.hypercareIncidents.r1?.map((i) => [i.cardId, i.stream])).toEqual([
      ['c1', 'maintenance'],
      ['c2', 'maintenance'],
    ]);
  });

  it('a release without hyper-care (refused read) simply has none', async () => {
    const { ApiError } = await import('../api.ts');
    const { board } = await openBoard(() =>
      Promise.reject(new ApiError(404, 'NOT_FOUND', 'no', undefined, {})),
    );
    await board.loadHypercare('r1');
    expect(board.hypercare.r1).toBeUndefined();
  });
});
