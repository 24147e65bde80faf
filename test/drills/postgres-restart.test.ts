/**
 * Drill (RUNBOOK.md, "Database down or restarted"): PostgreSQL stops and starts again under traffic,
 * with two instances on it. Readiness answers 503 while it is down and 200 after; a socket client on
 * the other instance ends up with every card, live or by catch-up; no write that was acknowledged is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, eventually, startServer, type TestServer } from '../harness.ts';
import { BoardFollower } from './board-follower.ts';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.ts';

let postgres: PrivatePostgres;
let a: TestServer;
let b: TestServer;
beforeAll(async () => {
  postgres = await startPrivatePostgres();
  a = await startServer({}, postgres.url);
  b = await startServer({}, postgres.url);
}, 60_000);
// Closing also proves the restart leaked no pool connection: a pool with one checked out never ends.
afterAll(async () => {
  await a?.close();
  await b?.close();
  await postgres?.destroy();
});

const readiness = async (server: TestServer) => (await fetch(`${server.baseUrl}/readyz`)).status;

describe('PostgreSQL restarted under traffic', () => {
  it('readiness goes 503 then 200, the other instance’s socket catches up, no acknowledged write is lost', async () => {
    const board = await a.admin.createBoard('Through the outage');
    const follower = new BoardFollower(b.baseUrl, (await login(b)).sessionCookie!, board.id);
    await follower.ready();

    // Writers: create cards one after another on instance A; only a 201 counts as acknowledged.
    const acknowledged: string[] = [];
    let refused = 0; // answered with an error or no answer during the outage: allowed, losses are not
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 2000; i++) {
        try {
          const res = await a.admin.post<{ id: string }>(`/api/boards/${board.id}/cards`, {
            title: `card ${i}`,
            type: 'story',
          });
          if (res.status === 201) acknowledged.push(res.body.id);
          else refused++;
        } catch {
          refused++;
        }
        if (!writing) break;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    await eventually(() => acknowledged.length >= 10, 10_000);
    await postgres.stop();
    // The runbook's symptom: readiness 503 on every instance while the database is away.
    await eventually(async () => (await readiness(a)) === 503 && (await readiness(b)) === 503, 10_000);
    const duringOutage = acknowledged.length;
    await eventually(() => refused > 0, 10_000); // writes are refused, not queued for ever
    // Down for longer than one reconnect interval (1 s), as a real restart or failover is: the outage's
    // length is the scenario, not a wait for a condition.
    await new Promise((r) => setTimeout(r, 3000));

    await postgres.start();
    // The runbook's recovery check: readiness 200 again, with no restart of Blendboard.
    await eventually(async () => (await readiness(a)) === 200 && (await readiness(b)) === 200, 20_000);
    await eventually(() => acknowledged.length >= duringOutage + 10, 20_000);
    writing = false;
    await writer;

    // Nothing acknowledged is lost: every 201 is on the board, on both instances.
    const snapshot = await a.admin.ok(
      a.admin.get<{ cards: { id: string }[]; seq: number }>(`/api/boards/${board.id}`),
    );
    const stored = new Set(snapshot.cards.map((c) => c.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    const fromB = new Set((await b.admin.cards(board.id)).map((c) => c.id));
    expect(acknowledged.filter((id) => !fromB.has(id))).toEqual([]);

    // The socket on B shows every card, at the board's sequence (live through A's NOTIFY, or caught up).
    await eventually(() => follower.seq >= snapshot.seq, 15_000);
    expect(acknowledged.filter((id) => !follower.cards.has(id))).toEqual([]);
    follower.close();

    // And the cluster fan-out listens again: a write on A after the restart reaches B's sockets live.
    const live = new BoardFollower(b.baseUrl, (await login(b)).sessionCookie!, board.id);
    await live.ready();
    await eventually(() => live.seq >= snapshot.seq, 5000);
    const after = await a.admin.createCard(board.id, { title: 'after the restart' });
    await eventually(() => live.cards.has(after.id), 10_000);
    expect(live.reconnects).toBe(0);
    live.close();
  }, 90_000);
});

async function login(server: TestServer): Promise<ApiClient> {
  return ApiClient.login(server.baseUrl, 'admin@example.com', 'velvet harbour crumpet admin');
}
