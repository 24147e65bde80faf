/**
 * Overload on real PostgreSQL: a board flooded with moves beyond its bound refuses the excess at once
 * with OVERLOADED (socket ack and HTTP 503 with Retry-After; 429 past a mover's own allowance) instead
 * of queueing it, while another board's moves and /healthz carry on; every accepted move is in the
 * event log exactly once and no refused one is.
 */
import { generateNKeysBetween } from 'fractional-indexing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/model.ts';
import type { MoveAck } from '../protocol/socket.ts';
import { MOVE_ADMISSION_LIMITS } from '../server/sync/move-admission.ts';
import {
  type ClientSocket,
  holdBoardRow,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  // A rate far above the flood below, so that what refuses it is the bound on moves in flight.
  server = await startServer({ MOVES_PER_SECOND_PER_PERSON: '10000' });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await server.close();
});

/** A board with `n` cards, inserted in one statement (arranging 300 cards one request at a time is slow). */
async function boardWithCards(
  name: string,
  n: number,
  on = server,
): Promise<{ boardId: string; cardIds: string[] }> {
  const board = await on.admin.createBoard(name);
  const ranks = generateNKeysBetween(null, null, n);
  const rows = await on.db
    .insertInto('cards')
    .values(
      ranks.map((rank, i) => ({
        board_id: board.id,
        number: i + 1,
        key: `${board.key}-${i + 1}`,
        title: `Card ${i + 1}`,
        type: 'story' as const,
        rank,
      })),
    )
    .returning('id')
    .execute();
  await on.db.updateTable('boards').set({ card_counter: n }).where('id', '=', board.id).execute();
  return { boardId: board.id, cardIds: rows.map((r) => r.id) };
}

async function adminSocket() {
  const socket = await socketFor(server, server.admin);
  sockets.push(socket);
  return socket;
}

describe('a board flooded with moves', () => {
  it('refuses the excess at once with OVERLOADED, keeps other boards and /healthz answering, and loses or doubles nothing', async () => {
    const flood = MOVE_ADMISSION_LIMITS.boardMaxInFlight + 60;
    const busy = await boardWithCards('Flooded', flood);
    const quiet = await boardWithCards('Quiet', 3);
    const socket = await adminSocket();

    // The flooded board's writes stall (its row is locked elsewhere), so its moves stay in flight.
    const held = await holdBoardRow(server, busy.boardId);
    const answers: Promise<MoveAck>[] = [];
    const refusedWhileHeld: Extract<MoveAck, { ok: false }>[] = [];
    for (const [i, cardId] of busy.cardIds.entries()) {
      const afterId = busy.cardIds[(i + flood / 2) % flood]!;
      const answer = socket.emitWithAck('card:move', { boardId: busy.boardId, cardId, afterId });
      answers.push(answer);
      void answer.then((a) => {
        if (!a.ok) refusedWhileHeld.push(a);
      });
    }

    // Refusals come back while the admitted moves are still waiting: they are not queued.
    await expect.poll(() => refusedWhileHeld.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(60);
    expect(refusedWhileHeld[0]).toMatchObject({ ok: false, error: 'OVERLOADED' });
    expect(refusedWhileHeld[0]!.retryAfterMs).toBeGreaterThan(0);

    // Over HTTP the same refusal is a 503 with Retry-After, and nothing changes.
    const before = await server.admin.cards(busy.boardId);
    const http = await server.admin.post<{ error: string; retryAfterMs: number }>(
      `/api/boards/${busy.boardId}/cards/${busy.cardIds[0]}/move`,
      { afterId: busy.cardIds[5] },
    );
    expect(http.status).toBe(503);
    expect(http.body).toMatchObject({ error: 'OVERLOADED' });
    expect(Number(http.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // Meanwhile a quiet board's move goes through, and the process says it is alive.
    const quietMove = await socket.emitWithAck('card:move', {
      boardId: quiet.boardId,
      cardId: quiet.cardIds[0]!,
      afterId: quiet.cardIds[2]!,
    });
    expect(quietMove).toMatchObject({ ok: true });
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/blendboard_moves_shed_total\{reason="board_queue"\} [1-9]/);

    await held.release();
    const all = await Promise.all(answers);
    const accepted = all.filter((a): a is Extract<MoveAck, { ok: true }> => a.ok);
    const refused = all.filter((a) => !a.ok);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.error === 'OVERLOADED' || a.error === 'CONFLICT')).toBe(true);
    expect(refused.filter((a) => a.error === 'OVERLOADED').length).toBeGreaterThanOrEqual(60);

    // Each accepted move is in the log exactly once; nothing else moved a card of the board.
    const log = await server.admin.ok(
      server.admin.get<BoardEvent[]>(`/api/boards/${busy.boardId}/events?after=0`),
    );
    const moved = log.filter((e) => e.type === 'card.moved');
    expect(moved.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      accepted.map((a) => a.event.seq).sort((a, b) => a - b),
    );
    expect(new Set(moved.map((e) => e.cardId)).size).toBe(moved.length);
    const after = await server.admin.cards(busy.boardId);
    const movedIds = new Set(moved.map((e) => e.cardId));
    for (const card of before) {
      const now = after.find((c) => c.id === card.id)!;
      if (!movedIds.has(card.id)) expect(now.rank).toBe(card.rank);
    }
  });
});

describe('a mover faster than their allowance', () => {
  it('gets their burst, the rest refused OVERLOADED at once (socket and HTTP), holds up no one else, and moves again as it refills', async () => {
    const limited = await startServer({ MOVES_PER_SECOND_PER_PERSON: '5' }); // a burst of 10
    let socket: ClientSocket | undefined;
    try {
      const busy = await boardWithCards('Hasty', 16, limited);
      const quiet = await boardWithCards('Calm', 3, limited);
      const mover = await socketFor(limited, limited.admin);
      socket = mover;
      const move = (board: typeof busy, i: number) =>
        mover.emitWithAck('card:move', {
          boardId: board.boardId,
          cardId: board.cardIds[i]!,
          afterId: board.cardIds[board.cardIds.length - 1 - i]!,
        });

      const answers = await Promise.all(busy.cardIds.slice(0, 14).map((_, i) => move(busy, i)));
      const accepted = answers.filter((a) => a.ok);
      const refused = answers.filter((a): a is Extract<MoveAck, { ok: false }> => !a.ok);
      // 10 at once, and perhaps one more refilled while they were answered
      expect(accepted.length).toBeGreaterThanOrEqual(10);
      expect(accepted.length).toBeLessThanOrEqual(11);
      expect(refused.length).toBe(14 - accepted.length);
      for (const r of refused) {
        expect(r).toMatchObject({ error: 'OVERLOADED' });
        expect(r.retryAfterMs).toBeGreaterThanOrEqual(500);
      }

      const http = await limited.admin.post<{ error: string; message: string }>(
        `/api/boards/${busy.boardId}/cards/${busy.cardIds[15]}/move`,
        { afterId: busy.cardIds[0] },
      );
      // The mover's own rate, not the server's state: a 4xx (429), not a 5xx.
      expect(http.status).toBe(429);
      expect(http.body).toMatchObject({
        error: 'OVERLOADED',
        message: expect.stringContaining('you may move at most 5 cards a second on a board'),
      });
      expect(Number(http.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      // Others go on: a teammate on the same board, and the same person on another board.
      const teammate = await memberWithRole(limited, busy.boardId, 'developer', 'tess');
      const theirs = await teammate.post(`/api/boards/${busy.boardId}/cards/${busy.cardIds[15]}/move`, {
        afterId: busy.cardIds[0],
      });
      expect(theirs.status).toBe(200);
      expect(await move(quiet, 0)).toMatchObject({ ok: true });
      const metrics = await (await fetch(`${limited.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/blendboard_moves_shed_total\{reason="person_rate"\} [1-9]/);

      // Only what was accepted is in the log; a fifth of a second later one more move is allowed.
      const log = await limited.admin.ok(
        limited.admin.get<BoardEvent[]>(`/api/boards/${busy.boardId}/events?after=0`),
      );
      expect(log.filter((e) => e.type === 'card.moved')).toHaveLength(accepted.length + 1);
      await new Promise((r) => setTimeout(r, 250));
      expect(await move(busy, 14)).toMatchObject({ ok: true });

      // The allowance is each mover's own: a viewer's and an outsider's 30 moves at once are refused
      // for who they are (the first ten) or for their own rate, and the team's next moves go through.
      const fresh = await boardWithCards('Guarded', 4, limited);
      const viewer = await memberWithRole(limited, fresh.boardId, 'viewer', 'vera');
      const outsider = await memberWithRole(limited, quiet.boardId, 'developer', 'otto'); // another board's
      for (const client of [viewer, outsider]) {
        const tries = await Promise.all(
          Array.from({ length: 30 }, () =>
            client.post(`/api/boards/${fresh.boardId}/cards/${fresh.cardIds[0]}/move`, {
              afterId: fresh.cardIds[3],
            }),
          ),
        );
        const statuses = tries.map((r) => r.status);
        expect(statuses.filter((s) => s === (client === viewer ? 403 : 404)).length).toBeGreaterThanOrEqual(
          10,
        );
        expect(statuses.every((s) => s === 429 || s === (client === viewer ? 403 : 404))).toBe(true);
      }
      const team = await Promise.all([0, 1, 2].map((i) => move(fresh, i)));
      expect(team.every((a) => a.ok)).toBe(true);
    } finally {
      socket?.close();
      await limited.close();
    }
  });
});
