/**
 * Drill (RUNBOOK.md, "An instance killed or crashed"): one of two instances is killed with SIGKILL under
 * load (cards written on both, webhooks acknowledged by the victim) and started again, as a supervisor
 * would. Its socket clients reconnect and catch up; nothing acknowledged is lost, by either instance;
 * every webhook it acknowledged becomes its ticket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib.ts';
import { fixture, install, postHook, sign } from '../../server/plugin-host/test-tools.ts';
import {
  ADMIN_PASSWORD,
  ApiClient,
  eventually,
  freshDatabase,
  startServer,
  TEST_SECRET_KEY,
  type TestServer,
} from '../harness.ts';
import { type ServerProcess, spawnServer, untilReady } from '../server-process.ts';
import { BoardFollower } from './board-follower.ts';

let databaseUrl: string;
let port: number;
let survivor: TestServer;
let victim: ServerProcess | null = null;

const startVictim = () =>
  spawnServer({
    DATABASE_URL: databaseUrl,
    SECRET_KEY: TEST_SECRET_KEY,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOGIN_RATE_LIMIT: '1000',
    WEB_DIST: 'no-web-in-api-tests',
  });
const base = () => `http://127.0.0.1:${port}`;

beforeAll(async () => {
  databaseUrl = await freshDatabase();
  port = await freePort();
  survivor = await startServer({}, databaseUrl);
  victim = startVictim();
  await untilReady(victim, base());
}, 90_000);
afterAll(async () => {
  victim?.child.kill('SIGKILL');
  await survivor?.close();
});

describe('an instance killed under load', () => {
  it('kill -9 and restart: sockets catch up, no acknowledged card or webhook is lost', async () => {
    const board = await survivor.admin.createBoard('Killed under load');
    const hook = await install(survivor.admin, board.id, 'generic-ci');
    const onVictim = await ApiClient.login(base(), 'admin@example.com', ADMIN_PASSWORD);
    const follower = new BoardFollower(base(), onVictim.sessionCookie!, board.id);
    await follower.ready();

    const acknowledged: string[] = [];
    const hooksAcknowledged: number[] = [];
    let running = true;
    const cards = (client: ApiClient, name: string) =>
      (async () => {
        for (let i = 0; running && i < 1000; i++) {
          const res = await client
            .post<{ id: string }>(`/api/boards/${board.id}/cards`, { title: `${name} ${i}`, type: 'story' })
            .catch(() => null);
          if (res?.status === 201) acknowledged.push(res.body.id);
          await new Promise((r) => setTimeout(r, res ? 5 : 50));
        }
      })();
    const webhooks = (async () => {
      for (let i = 0; running && i < 500; i++) {
        const body = JSON.stringify({ ...fixture('generic-ci', 'failed'), pipeline: `svc-${i}/build` });
        const res = await postHook(base(), hook.inboundUrl, body, sign.bearer(hook.secret)).catch(() => null);
        if (res?.status === 202) hooksAcknowledged.push(i);
        await new Promise((r) => setTimeout(r, res ? 5 : 50));
      }
    })();
    const load = [cards(onVictim, 'victim'), cards(survivor.admin, 'survivor'), webhooks];

    await eventually(() => acknowledged.length >= 20 && hooksAcknowledged.length >= 5, 20_000);
    victim!.child.kill('SIGKILL');
    expect(await victim!.exited).toBe(null); // killed, no clean exit
    const atKill = acknowledged.length;
    // The survivor carries on alone meanwhile.
    await eventually(() => acknowledged.length >= atKill + 10, 20_000);

    victim = startVictim(); // the supervisor's restart
    await untilReady(victim, base());
    await eventually(() => follower.reconnects >= 1, 20_000);
    const afterRestart = acknowledged.length;
    await eventually(() => acknowledged.length >= afterRestart + 10, 20_000);
    running = false;
    await Promise.all(load);

    const snapshot = await survivor.admin.ok(
      survivor.admin.get<{ cards: { id: string; source: unknown }[]; seq: number }>(
        `/api/boards/${board.id}`,
      ),
    );
    const stored = new Set(snapshot.cards.map((c) => c.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);

    // The reconnected socket shows every card at the board's sequence.
    await eventually(() => follower.seq >= snapshot.seq, 20_000);
    expect(acknowledged.filter((id) => !follower.cards.has(id))).toEqual([]);
    follower.close();

    // Every webhook the victim acknowledged became its ticket (the restarted instance resumes them).
    await eventually(
      async () =>
        (await survivor.admin.cards(board.id)).filter((c) => c.source !== null).length >=
        hooksAcknowledged.length,
      30_000,
    );
    victim!.child.kill('SIGTERM');
    expect(await victim!.exited).toBe(0);
    victim = null;
  }, 150_000);
});
