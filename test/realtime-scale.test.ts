/**
 * Real time at scale, through real sockets on real server instances:
 * - presence converges across two instances, also when one of them is killed (SIGKILL: no goodbye),
 *   and a socket joining through one instance gets the people connected through the other;
 * - a storm of joins is answered at once, the excess with spread retry hints, while moves on a board
 *   already joined still go through.
 */
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../bench/lib.ts';
import type { JoinAck, MoveAck, PresenceUser } from '../protocol/socket.ts';
import { SIGN_IN_CONCURRENCY } from '../server/sync/realtime.ts';
import { RECHECK_MS } from '../server/sync/socket-credentials.ts';
import { applyPresence, noPresence, presenceUsers } from '../web/src/lib/board/presence.ts';
import {
  type ApiClient,
  type ClientSocket,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  TEST_SECRET_KEY,
  type TestServer,
} from './harness.ts';
import { spawnServer, untilReady } from './server-process.ts';

const HEARTBEAT_MS = '200';

/** A second instance as its own process (server/main.ts) on the same database, so it can be killed. */
async function startProcess(databaseUrl: string): Promise<{ baseUrl: string; child: ChildProcess }> {
  const port = await freePort();
  const started = spawnServer({
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SECRET_KEY: TEST_SECRET_KEY,
    WEB_DIST: 'no-web-in-api-tests',
    LOGIN_RATE_LIMIT: '1000',
    PRESENCE_HEARTBEAT_MS: HEARTBEAT_MS,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await untilReady(started, baseUrl);
  return { baseUrl, child: started.child };
}

interface Watcher {
  socket: ClientSocket;
  userId: string;
  shown: () => PresenceUser[];
}

/** Connects `client` to the instance at `baseUrl`, joins the board and keeps what its screen shows. */
async function watcherOn(baseUrl: string, client: ApiClient, boardId: string): Promise<Watcher> {
  const socket = await socketFor({ baseUrl } as TestServer, client);
  let state = noPresence;
  socket.on('presence', (frame) => {
    state = applyPresence(state, frame, boardId);
  });
  const ack = (await socket.emitWithAck('board:join', { boardId })) as JoinAck;
  if (!ack.ok) throw new Error(`join failed: ${ack.message}`);
  return { socket, userId: client.userId!, shown: () => presenceUsers(state) };
}

const ids = (users: PresenceUser[]) => users.map((u) => u.userId).sort();

describe('presence across two instances', () => {
  let server: TestServer;
  let other: { baseUrl: string; child: ChildProcess } | null = null;
  beforeAll(async () => {
    server = await startServer({ PRESENCE_HEARTBEAT_MS: HEARTBEAT_MS });
  });
  afterAll(async () => {
    other?.child.kill('SIGKILL');
    await server.close();
  });

  it('every screen shows exactly who is on the board, after joins, a drag, a leave and a killed instance', async () => {
    const boardId = (await server.admin.createBoard('Incident room')).id;
    const card = await server.admin.createCard(boardId, { title: 'the fix' });
    const [ann, bob, cy] = await Promise.all(
      ['Ann', 'Bob', 'Cy'].map((name) => memberWithRole(server, boardId, 'developer', name)),
    );
    other = await startProcess(server.databaseUrl);
    const farUrl = other.baseUrl;

    const onA = [await watcherOn(server.baseUrl, server.admin, boardId)];
    // Joining through the other instance: its first list already has the admin, connected to this one.
    const first = await watcherOn(farUrl, ann!, boardId);
    await eventually(() => ids(first.shown()).includes(server.admin.userId!), 10_000);
    const onB = [first, await watcherOn(farUrl, bob!, boardId)];
    onA.push(await watcherOn(server.baseUrl, cy!, boardId));
    const everyone = [...onA, ...onB];
    const expectAll = (userIds: (string | null)[], watchers = everyone) =>
      eventually(
        () => watchers.every((w) => JSON.stringify(ids(w.shown())) === JSON.stringify([...userIds].sort())),
        10_000,
      );

    await expectAll([server.admin.userId, ann!.userId, bob!.userId, cy!.userId]);

    onB[1]!.socket.emit('presence:drag', { boardId, cardId: card.id });
    await eventually(() =>
      everyone.every((w) => w.shown().find((u) => u.userId === bob!.userId)?.draggingCardId === card.id),
    );

    onA[1]!.socket.close(); // Cy leaves
    await expectAll([server.admin.userId, ann!.userId, bob!.userId], [onA[0]!, ...onB]);

    // Killed: no goodbye. This instance drops its people after three silent heartbeats.
    other.child.kill('SIGKILL');
    await expectAll([server.admin.userId], [onA[0]!]);
    const late = await watcherOn(server.baseUrl, cy!, boardId);
    await expectAll([server.admin.userId, cy!.userId], [onA[0]!, late]);
    for (const w of [...everyone, late]) w.socket.close();
  });
});

describe('a storm of joins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ JOIN_RATE_PER_SECOND: '2' });
  });
  afterAll(() => server.close());

  it('refuses the excess at once with spread retry hints, admits each after its hint, and moves go on', async () => {
    const boardId = (await server.admin.createBoard('After the deploy')).id;
    const [a, b] = [
      await server.admin.createCard(boardId, { title: 'a' }),
      await server.admin.createCard(boardId, { title: 'b' }),
    ];
    const mover = await socketFor(server, server.admin);
    await eventually(async () => ((await mover.emitWithAck('board:join', { boardId })) as JoinAck).ok);
    const storm = await Promise.all(Array.from({ length: 12 }, () => socketFor(server, server.admin)));
    try {
      const acks = (await Promise.all(
        storm.map((s) => s.emitWithAck('board:join', { boardId })),
      )) as JoinAck[];
      const refused = acks.filter((r) => !r.ok);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused)
        expect(r).toMatchObject({ error: 'OVERLOADED', retryAfterMs: expect.any(Number) });
      const hints = refused.map((r) => (r.ok ? 0 : r.retryAfterMs!)).sort((x, y) => x - y);
      // Spread at the admitted rate (2/s: a slot each 500 ms), not all told the same moment.
      expect(hints.at(-1)! - hints[0]!).toBeGreaterThanOrEqual((hints.length - 2) * 500);

      // A board already joined is not starved: its moves are accepted during the storm.
      const move = (await mover.emitWithAck('card:move', {
        boardId,
        cardId: b.id,
        beforeId: a.id,
      })) as MoveAck;
      expect(move.ok).toBe(true);

      // Each refused client that comes back after its hint gets in (as the web app does).
      await Promise.all(
        storm.map(async (s, i) => {
          let ack = acks[i]!;
          while (!ack.ok) {
            await new Promise((r) => setTimeout(r, ack.ok ? 0 : ack.retryAfterMs));
            ack = (await s.emitWithAck('board:join', { boardId })) as JoinAck;
          }
        }),
      );
    } finally {
      for (const s of [mover, ...storm]) s.close();
    }
  });

  it('a refused join costs no database query: only admitted joins re-check the credential', async () => {
    const boardId = (await server.admin.createBoard('Storm without queries')).id;
    const storm = await Promise.all(Array.from({ length: 12 }, () => socketFor(server, server.admin)));
    const rechecks = vi.spyOn(server.app.services.auth, 'recheck');
    try {
      // Past the re-check interval, every frame's credential is due for a look in the database.
      await new Promise((r) => setTimeout(r, RECHECK_MS + 200));
      rechecks.mockClear();
      const acks = (await Promise.all(
        storm.map((s) => s.emitWithAck('board:join', { boardId })),
      )) as JoinAck[];
      const admitted = acks.filter((r) => r.ok).length;
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThan(storm.length);
      // One look per admitted join at most (the 12 sockets share one session, not one check).
      expect(rechecks.mock.calls.length).toBeLessThanOrEqual(admitted);
      expect(rechecks.mock.calls.length).toBeGreaterThan(0);
    } finally {
      rechecks.mockRestore();
      for (const s of storm) s.close();
    }
  });

  it('an admitted join reads the board twice when the client is up to date, three times when behind', async () => {
    // Each query of a join is a write to PostgreSQL that wakes another process on cores the moves
    // share; in a reconnect storm they add up (docs/performance.md).
    const queries = vi.spyOn(pg.Client.prototype, 'query');
    const boardId = (await server.admin.createBoard('Join reads')).id;
    const readsOfBoard = () =>
      queries.mock.calls.filter((call) => JSON.stringify(call).includes(boardId)).length;
    const socket = await socketFor(server, server.admin);
    /** Joins once admitted (the storm above may have used the admission's burst). */
    const join = async (sinceSeq: number) => {
      for (;;) {
        const ack = (await socket.emitWithAck('board:join', { boardId, sinceSeq })) as JoinAck;
        if (ack.ok || ack.error !== 'OVERLOADED') return ack;
        await new Promise((r) => setTimeout(r, ack.retryAfterMs));
      }
    };
    /** After the board's own background readers (the inbox's follower) have had their turn. */
    const settled = async () => {
      for (let seen = -1; seen !== readsOfBoard(); ) {
        seen = readsOfBoard();
        await new Promise((r) => setTimeout(r, 300));
      }
      queries.mockClear();
    };
    try {
      await server.admin.createCard(boardId, { title: 'one' });
      await settled();
      const upToDate = await join(1);
      expect(upToDate).toMatchObject({ ok: true, mode: 'events', events: [], seq: 1 });
      // Its role before entering the board's room; its role again and the board's sequence, after.
      expect(readsOfBoard()).toBe(2);

      await settled();
      const behind = await join(0);
      expect(behind).toMatchObject({ ok: true, mode: 'events', seq: 1 });
      expect(behind.ok && behind.mode === 'events' && behind.events.map((e) => e.seq)).toEqual([1]);
      // ... and the events it missed.
      expect(readsOfBoard()).toBe(3);
    } finally {
      queries.mockRestore();
      socket.close();
    }
  });

  it('signs new sockets in a few at a time: a connection storm does not fill the pool ahead of the moves', async () => {
    const auth = server.app.services.auth;
    const signIn = auth.signInBySession.bind(auth);
    let inFlight = 0;
    let most = 0;
    // Each lookup held a while, so that connections arriving together overlap in it.
    const lookups = vi.spyOn(auth, 'signInBySession').mockImplementation(async (token) => {
      most = Math.max(most, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, 30));
        return await signIn(token);
      } finally {
        inFlight--;
      }
    });
    const storm: ClientSocket[] = [];
    try {
      storm.push(...(await Promise.all(Array.from({ length: 24 }, () => socketFor(server, server.admin)))));
      expect(storm.every((s) => s.connected)).toBe(true);
      expect(lookups).toHaveBeenCalledTimes(24);
      expect(most).toBe(SIGN_IN_CONCURRENCY);
    } finally {
      lookups.mockRestore();
      for (const s of storm) s.close();
    }
  });
});
