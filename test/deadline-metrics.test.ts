/**
 * The service desk's deadline gauges read what is due: pending SLA deadlines, and how long ago the
 * oldest passed unannounced (what `BlendboardDeadlinesLate` alerts on). Against a migrated database
 * with no scheduler running, so a passed deadline stays unannounced.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deadlines } from '../server/infra/backlog-repo.ts';
import { freshDatabase } from './harness.ts';

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await freshDatabase(), max: 2 });
});
afterAll(() => pool.end());

const clock = (dueInSeconds: number | null) =>
  pool.query(
    `insert into sla_clocks (card_id, board_id, kind, started_at, tiers, next_due_at, next_stage)
     values (gen_random_uuid(), gen_random_uuid(), 'incident', now() - interval '1 hour', '[]',
             case when $1::float8 is null then null else now() + make_interval(secs => $1::float8) end,
             'resolution.warning')`,
    [dueInSeconds],
  );

it('counts the deadlines still to announce and says how late the oldest passed one is', async () => {
  expect(await deadlines(pool)).toEqual({
    slaPending: 0,
    slaOverdueSeconds: 0,
    escalationsPending: 0,
    escalationOverdueSeconds: 0,
  });
  await clock(600); // due later
  await clock(null); // met: nothing left to announce
  expect(await deadlines(pool)).toMatchObject({ slaPending: 1, slaOverdueSeconds: 0 });
  await clock(-90);
  await clock(-30);
  const late = await deadlines(pool);
  expect(late.slaPending).toBe(3);
  expect(late.slaOverdueSeconds).toBeGreaterThanOrEqual(90);
  expect(late.slaOverdueSeconds).toBeLessThan(120);
});
