/**
 * A server killed with SIGKILL while deliveries it acknowledged (202) are still in its hands: after
 * the restart they are processed within seconds, each exactly once, and before any delivery of the
 * same installation that arrived after the restart. The server runs as a real child process; a test
 * plugin holds every handler while HELD_PLUGIN_HOLD=1, so the deliveries are fetched but unfinished.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib.ts';
import { ApiClient, eventually, freshDatabase, TEST_SECRET_KEY } from '../../test/harness.ts';
import { install, postHook, sign } from './test-tools.ts';

const HELD_PLUGIN = `
export default {
  id: 'held',
  name: 'Held test plugin',
  version: '0.0.1',
  apiVersion: 1,
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  webhooks: {
    events: {
      verify(req, ctx) {
        const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        return (m !== null && ctx.safeEqual(m[1], ctx.secret)) || 'bad token';
      },
      handle(payload, ctx) {
        if (process.env.HELD_PLUGIN_HOLD === '1') {
          ctx.log.info('held: holding ' + payload.key);
          return new Promise(() => {});
        }
        ctx.tickets.raise({ dedupKey: payload.key, kind: 'incident', title: 'Incident ' + payload.key });
        return { summary: 'raised ' + payload.key };
      },
    },
  },
};
`;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', SECRET_KEY: TEST_SECRET_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, exited, output: () => output };
}

async function untilReady(run: ReturnType<typeof runMain>, base: string) {
  try {
    await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, 60_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- the server printed ---\n${run.output()}`);
  }
}

describe('crash recovery', () => {
  it('processes deliveries acknowledged before a kill -9 within seconds of the restart, once each, before newer ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bb-held-'));
    writeFileSync(path.join(dir, 'held.mjs'), HELD_PLUGIN);
    const databaseUrl = await freshDatabase();
    const port = String(await freePort());
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      PORT: port,
      PLUGIN_DIR: dir,
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'ops keeper quiet lantern 7',
      // long enough that nothing times out or expires by itself during the test
      PLUGIN_TIMEOUT_MS: '120000',
    };
    const db = new pg.Client({ connectionString: databaseUrl });
    try {
      // 1. A burst the server acknowledges and fetches, but whose handlers never finish.
      const first = runMain({ ...env, HELD_PLUGIN_HOLD: '1' });
      await untilReady(first, base);
      const admin = await ApiClient.login(base, 'ops@example.com', 'ops keeper quiet lantern 7');
      const board = await admin.createBoard('Crash recovery');
      const hook = await install(admin, board.id, 'held');
      const send = (key: string) =>
        postHook(base, hook.inboundUrl, JSON.stringify({ key }), sign.bearer(hook.secret));
      const before = Array.from({ length: 40 }, (_, i) => `before-${i}`);
      const replies = await Promise.all(before.map(send));
      expect(replies.map((r) => r.status)).toEqual(before.map(() => 202));
      // All fetched from the queue (the first lane round is in the held handlers, the rest wait).
      await db.connect();
      await eventually(async () => {
        const r = await db.query<{ n: number }>(
          "select count(*)::int as n from pgboss.job where name = 'plugin-delivery' and state = 'active'",
        );
        return r.rows[0]!.n === before.length && first.output().includes('held: holding');
      }, 30_000);

      first.child.kill('SIGKILL');
      expect(await first.exited).toBe('SIGKILL');
      const held = await db.query<{ status: string; attempts: number }>(
        'select status, attempts from plugin_deliveries',
      );
      expect(held.rows).toEqual(before.map(() => ({ status: 'queued', attempts: 0 })));

      // 2. Restart; new deliveries of the same installation arrive at once.
      const second = runMain(env);
      await untilReady(second, base);
      const after = Array.from({ length: 5 }, (_, i) => `after-${i}`);
      for (const key of after) expect((await send(key)).status).toBe(202);

      const all = [...before, ...after];
      await eventually(async () => {
        const r = await db.query<{ n: number }>(
          "select count(*)::int as n from plugin_deliveries where status = 'processed'",
        );
        return r.rows[0]!.n === all.length;
      }, 10_000);

      // 3. Each delivery took effect exactly once: one ticket and card per key, counted once.
      const deliveries = await db.query<{ status: string; attempts: number; outcome: string }>(
        'select status, attempts, outcome from plugin_deliveries',
      );
      expect(deliveries.rows).toEqual(
        all.map(() => ({ status: 'processed', attempts: 1, outcome: 'created' })),
      );
      const tickets = await db.query<{ dedup_key: string; occurrences: number; card_key: string }>(
        `select t.dedup_key, t.occurrences, c.key as card_key
         from plugin_tickets t join cards c on c.id = t.card_id order by t.dedup_key`,
      );
      expect(tickets.rows.map((t) => t.dedup_key)).toEqual([...all].sort());
      expect(tickets.rows.every((t) => t.occurrences === 1)).toBe(true);

      // 4. Arrival order kept: every card of a delivery from before the crash came first.
      const number = (key: string) => Number(key.split('-').at(-1));
      const numbers = new Map(tickets.rows.map((t) => [t.dedup_key, number(t.card_key)]));
      const lastBefore = Math.max(...before.map((k) => numbers.get(k)!));
      const firstAfter = Math.min(...after.map((k) => numbers.get(k)!));
      expect(lastBefore).toBeLessThan(firstAfter);

      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      await db.end().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
