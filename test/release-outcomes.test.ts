/**
 * The release outcomes report against real PostgreSQL: hand-computed fixtures (written by SQL, with
 * fixed times), the window, the cost model, CSV, bad input and who may read it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseOutcomes } from '../protocol/release-outcomes.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
let viewer: ApiClient;
let outsider: ApiClient;
let n = 0;

const H = 3_600_000;
const D = 24 * H;
const t = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

async function release(version: string, createdAt: Date, liveAt: Date | null, services: string[] = []) {
  const { rows } = await sql<{ id: string }>`
    insert into releases (board_id, version, stream, environments, readiness, approvers, state, created_at, live_at)
    values (${boardId}, ${version}, 'development', '[]', '[]', '[]', ${liveAt ? 'live' : 'on_path'}, ${createdAt}, ${liveAt})
    returning id`.execute(server.db);
  const id = rows[0]!.id;
  if (services.length)
    await sql`insert into release_hypercare_plans (release_id, services) values (${id}, ${JSON.stringify(services)})`.execute(
      server.db,
    );
  return id;
}

async function card(o: {
  type?: string;
  createdAt: Date;
  doneAt?: Date;
  labels?: string[];
  priority?: string;
  estimate?: number;
  linkTo?: string;
  addedAt?: Date;
}) {
  n++;
  const { rows } = await sql<{ id: string }>`
    insert into cards (board_id, number, key, title, type, rank, labels, priority, estimate, created_at, done_at)
    values (${boardId}, ${1000 + n}, ${`OUT-${n}`}, ${`card ${n}`}, ${o.type ?? 'incident'}, ${`zz${String(n).padStart(4, '0')}`},
            ${o.labels ?? []}::text[], ${o.priority ?? 'medium'}, ${o.estimate ?? null}, ${o.createdAt}, ${o.doneAt ?? null})
    returning id`.execute(server.db);
  const id = rows[0]!.id;
  if (o.linkTo)
    await sql`insert into release_cards (release_id, card_id, added_at) values (${o.linkTo}, ${id}, ${o.addedAt ?? o.createdAt})`.execute(
      server.db,
    );
  return id;
}

const A_LIVE = '2026-01-11T00:00:00Z';
const B_LIVE = '2026-02-03T00:00:00Z';

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Outcomes')).id;
  viewer = await memberWithRole(server, boardId, 'viewer');
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');

  // A: 10 days from creation to live, services Payments; a severe linked outage restored in 2 h.
  const a = await release('1.0.0', t('2026-01-01T00:00:00Z'), t(A_LIVE), ['Payments']);
  await card({
    type: 'story',
    estimate: 5,
    createdAt: t('2026-01-02T00:00:00Z'),
    linkTo: a,
    addedAt: t('2026-01-05T00:00:00Z'),
  });
  await card({
    createdAt: t(A_LIVE, H),
    doneAt: t(A_LIVE, 3 * H),
    priority: 'high',
    labels: ['outage', 'service:payments'], // linked and on its service: counted once
    linkTo: a,
  });
  await card({ createdAt: t(A_LIVE, 2 * D), priority: 'low', linkTo: a }); // linked, still open
  await card({ createdAt: t(A_LIVE, 5 * D), labels: ['service:Payments'] }); // same service, in the window
  await card({ createdAt: t(A_LIVE, 20 * D), labels: ['service:PAYMENTS'] }); // same service, after 14 days
  await card({ createdAt: t(A_LIVE, D), labels: ['service:ledger', 'payments'] }); // another service (a plain label is not one)
  await card({ createdAt: t(A_LIVE, -D), labels: ['service:payments'] }); // before go-live

  // B: 2 days to live; a defect raised after go-live; a linked outage restored in 30 min.
  const b = await release('1.1.0', t('2026-02-01T00:00:00Z'), t(B_LIVE));
  const defect = await card({ type: 'defect_automated', createdAt: t(B_LIVE, -D) });
  await sql`insert into release_defects (release_id, environment, card_id, created_at) values (${b}, 'production', ${defect}, ${t(B_LIVE, D)})`.execute(
    server.db,
  );
  await card({ createdAt: t(B_LIVE, H), doneAt: t(B_LIVE, 1.5 * H), labels: ['Outage'], linkTo: b });
  await card({ createdAt: t(B_LIVE, -D), doneAt: t(B_LIVE, -D + H), linkTo: b }); // before go-live

  // D: a quiet release, one day to live. And one not live, which the report leaves out.
  await release('1.2.0', t('2026-02-09T00:00:00Z'), t('2026-02-10T00:00:00Z'));
  await release('2.0.0', t('2026-02-11T00:00:00Z'), null);
});
afterAll(() => server.close());

const url = (q = '') => `/api/boards/${boardId}/releases/outcomes${q}`;

describe('release outcomes', () => {
  it('per release, in total and per month, against hand-computed numbers', async () => {
    const r = await viewer.ok(viewer.get<ReleaseOutcomes>(url()));
    expect(r.windowDays).toBe(14);
    expect(r.releases.map((x) => x.version)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(r.releases[0]).toMatchObject({
      incidents: 3,
      linkedIncidents: 2,
      downtimeMinutes: 120,
      cost: 800 * 5 * 10,
      failed: true,
      restoreMedianMinutes: 120,
      restoreMeanMinutes: 120,
      month: '2026-01',
    });
    expect(r.releases[1]).toMatchObject({
      incidents: 1,
      linkedIncidents: 1,
      downtimeMinutes: 30,
      cost: 800 * 5 * 2,
      failed: true,
      restoreMedianMinutes: 30,
    });
    expect(r.releases[2]).toMatchObject({
      incidents: 0,
      downtimeMinutes: 0,
      cost: 4000,
      failed: false,
      restoreMedianMinutes: null,
    });
    expect(r.totals).toEqual({
      releases: 3,
      incidents: 4,
      downtimeMinutes: 150,
      cost: 52000,
      costPerRelease: 17333.33,
      changeFailureRate: 0.67,
      restoreMedianMinutes: 75,
      restoreMeanMinutes: 75,
    });
    expect(r.trend.map((m) => [m.month, m.releases, m.changeFailureRate])).toEqual([
      ['2026-01', 1, 1],
      ['2026-02', 2, 0.5],
    ]);
  });

  it('a longer window counts the later incident on the same service; past the maximum gives the maximum', async () => {
    const r = await viewer.ok(viewer.get<ReleaseOutcomes>(url('?windowDays=30')));
    expect(r.releases[0]!.incidents).toBe(4);
    expect((await viewer.ok(viewer.get<ReleaseOutcomes>(url('?windowDays=5000')))).windowDays).toBe(90);
  });

  it('the board’s cost model: cost per point × points in scope at go-live', async () => {
    await sql`insert into board_release_cost_models (board_id, model, day_rate, team_size, point_cost, currency, start_from)
              values (${boardId}, 'per_point', 0, 0, 100, 'EUR', 'created')`.execute(server.db);
    try {
      const r = await viewer.ok(viewer.get<ReleaseOutcomes>(url()));
      expect(r.costModel.model).toBe('per_point');
      expect(r.releases.map((x) => x.cost)).toEqual([500, 0, 0]);
    } finally {
      await sql`delete from board_release_cost_models where board_id = ${boardId}`.execute(server.db);
    }
  });

  it('CSV: a header row and one row per release', async () => {
    const res = await viewer.get<string>(url('?format=csv'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (res.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'version,live_at,incidents,linked_incidents,downtime_minutes,cost,failed,restore_median_minutes,restore_mean_minutes',
    );
    expect(lines.slice(1)).toEqual([
      '1.0.0,2026-01-11T00:00:00.000Z,3,2,120,40000,true,120,120',
      '1.1.0,2026-02-03T00:00:00.000Z,1,1,30,8000,true,30,30',
      '1.2.0,2026-02-10T00:00:00.000Z,0,0,0,4000,false,,',
    ]);
  });

  it('bad parameters answer 400 naming the field', async () => {
    for (const q of ['?windowDays=0', '?windowDays=abc', '?windowDays=-3']) {
      const res = await viewer.get<{ field?: string; message: string }>(url(q));
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body), q).toContain('windowDays');
    }
    const res = await viewer.get<{ message: string }>(url('?format=xml'));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('format');
  });

  it('someone outside the board gets 404, and no numbers', async () => {
    const res = await outsider.get(url());
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('1.0.0');
  });
});
