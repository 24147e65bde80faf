/**
 * Drill (RUNBOOK.md, "Webhook backlog growing"): processing stalls behind a session that holds the
 * board's lock (what a hung transaction or a long manual statement does). /metrics shows the backlog and
 * its age growing; the runbook's ops/sql/blockers.sql names the blocker; ending it drains the backlog
 * to zero, every acknowledged delivery becoming its ticket once.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, install, postHook, sign } from '../../server/plugin-host/test-tools.ts';
import { eventually, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

describe('webhook backlog after an outage', () => {
  it('shows on /metrics, the blocker is found with ops/sql/blockers.sql, and ending it drains the backlog', async () => {
    const board = await server.admin.createBoard('Backlogged');
    const hook = await install(server.admin, board.id, 'generic-ci');

    // The outage: a session takes the board's row and sits idle in its transaction.
    const stuck = new pg.Client({ connectionString: server.databaseUrl, application_name: 'stuck-session' });
    stuck.on('error', () => {}); // it is about to be terminated
    await stuck.connect();
    await stuck.query('begin');
    await stuck.query('select 1 from boards where id = $1 for update', [board.id]);

    const deliveries = 12;
    for (let i = 0; i < deliveries; i++) {
      const body = JSON.stringify({ ...fixture('generic-ci', 'failed'), pipeline: `service-${i}/build` });
      expect((await postHook(server.baseUrl, hook.inboundUrl, body, sign.bearer(hook.secret))).status).toBe(
        202,
      );
    }

    // Symptom: the backlog holds what was acknowledged, and its oldest delivery ages.
    await eventually(
      async () => (await gauge('blendboard_webhook_backlog_deliveries')) === deliveries,
      10_000,
    );
    const age = await gauge('blendboard_webhook_backlog_oldest_age_seconds');
    await eventually(
      async () => (await gauge('blendboard_webhook_backlog_oldest_age_seconds')) > age,
      10_000,
    );

    // Check and step, as the runbook says: list the blockers, end the stuck one.
    const ops = new pg.Client({ connectionString: server.databaseUrl });
    await ops.connect();
    try {
      const { rows } = await ops.query<{ pid: number; application_name: string; sessions_waiting: number }>(
        readFileSync('ops/sql/blockers.sql', 'utf8'),
      );
      expect(rows.map((r) => r.application_name)).toEqual(['stuck-session']);
      // ops/sql/queues.sql counts the same backlog as the gauge.
      const [backlog] = (await ops.query(
        readFileSync('ops/sql/queues.sql', 'utf8'),
      )) as unknown as pg.QueryResult[];
      expect(Number(backlog!.rows[0].items)).toBe(deliveries);
      expect(Number(rows[0]!.sessions_waiting)).toBeGreaterThan(0);
      await ops.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    } finally {
      await ops.end();
    }

    // Recovery: the backlog drains to zero and each delivery became one ticket.
    await eventually(async () => (await gauge('blendboard_webhook_backlog_deliveries')) === 0, 30_000);
    expect(await gauge('blendboard_webhook_backlog_oldest_age_seconds')).toBe(0);
    const tickets = (await server.admin.cards(board.id)).filter((c) => c.source !== null);
    expect(tickets).toHaveLength(deliveries);
  }, 60_000);
});
