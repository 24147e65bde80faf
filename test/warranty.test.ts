/**
 * Warranty requirements and the board's cost model through the HTTP API against real PostgreSQL:
 * criteria set while a release is planned and settled at go-live, measurements recorded during and
 * after hyper-care (met / not met / not measured), availability suggested from linked outages, the
 * board's running hyper-care, the cost model the outcomes report costs releases by, bad input naming
 * its field, and what each role may do.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hypercare } from '../protocol/hypercare.ts';
import type { BoardEvent, Card, Role } from '../protocol/model.ts';
import type { CostModelBody, ReleaseOutcomes } from '../protocol/release-outcomes.ts';
import type { Release } from '../protocol/releases.ts';
import type { Warranty } from '../protocol/warranty.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
let server: TestServer;
let boardId: string;
const as = {} as Record<Role, ApiClient>;
let outsider: ApiClient;
let n = 0;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Warranty')).id;
  for (const role of ROLES) as[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
});
afterAll(() => server?.close());

const rel = (r?: { id: string }, rest = '') => `/api/boards/${boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const warranty = (r: { id: string }, rest = '') => rel(r, `/warranty${rest}`);
const requirement = (r: { id: string }, id: string, rest = '') => warranty(r, `/requirements/${id}${rest}`);

const AVAILABILITY = {
  category: 'availability',
  statement: 'Payments stay up during business hours',
  comparison: 'gte',
  value: 99.9,
  unit: '%',
} as const;
const LATENCY = {
  category: 'performance',
  statement: 'p95 checkout latency',
  comparison: 'lte',
  value: 300,
  unit: 'ms',
} as const;

async function planned(): Promise<Release> {
  return server.admin.ok(server.admin.post<Release>(rel(), { version: `4.${++n}.0`, stream: 'development' }));
}

/** Deployed by the developer, readiness done, taken live by the product owner's and the AMS lead's go. */
async function goLive(r: Release): Promise<Release> {
  for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
    await as.developer.ok(
      as.developer.post(rel(r, '/runs'), {
        environment,
        runId: `${environment}-${n}`,
        kind: 'deployment',
        outcome: 'success',
      }),
    );
  for (const item of r.readiness)
    await as.product_owner.ok(as.product_owner.post(rel(r, '/readiness'), { key: item.key, done: true }));
  await as.product_owner.ok(as.product_owner.post(rel(r, '/verdicts'), { verdict: 'go', reason: 'demoed' }));
  const live = await as.maintenance.ok(
    as.maintenance.post<Release>(rel(r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }),
  );
  expect(live.state).toBe('live');
  return live;
}

const add = (r: Release, body: object = AVAILABILITY, by = as.product_owner) =>
  by.post<Warranty>(warranty(r, '/requirements'), body);

describe('warranty requirements of a planned release', () => {
  it('the product owner adds availability and latency targets; every member reads them, not measured, with one event each', async () => {
    const r = await planned();
    await as.product_owner.ok(add(r));
    const w = await as.product_owner.ok(add(r, LATENCY));
    expect(w.requirements.map((q) => [q.category, q.target, q.status])).toEqual([
      ['availability', { comparison: 'gte', value: 99.9, unit: '%' }, 'not_measured'],
      ['performance', { comparison: 'lte', value: 300, unit: 'ms' }, 'not_measured'],
    ]);
    expect(w.summary).toEqual({ met: 0, notMet: 0, notMeasured: 2 });
    expect(w.revision).toBe(2);
    expect(await as.viewer.ok(as.viewer.get<Warranty>(warranty(r)))).toEqual(w);

    const events = (
      await as.viewer.ok(as.viewer.get<BoardEvent[]>(`/api/boards/${boardId}/events?after=0`))
    ).filter((e) => e.type === 'warranty.updated' && e.payload.warranty.releaseId === r.id);
    expect(
      events.map((e) => e.type === 'warranty.updated' && [e.payload.change, e.payload.warranty.revision]),
    ).toEqual([
      ['added', 1],
      ['added', 2],
    ]);
  });

  it('changes and removes a requirement; an unknown one is not found', async () => {
    const r = await planned();
    const id = (await as.product_owner.ok(add(r))).requirements[0]!.id;
    const changed = await as.admin.ok(
      as.admin.put<Warranty>(requirement(r, id), {
        ...AVAILABILITY,
        value: 99.95,
        statement: 'Four and a half nines',
      }),
    );
    expect(changed.requirements[0]).toMatchObject({
      statement: 'Four and a half nines',
      target: { value: 99.95 },
    });
    expect((await as.admin.ok(as.admin.delete<Warranty>(requirement(r, id)))).requirements).toEqual([]);
    expect((await as.admin.delete(requirement(r, id))).status).toBe(404);
    expect((await as.admin.put(requirement(r, crypto.randomUUID()), AVAILABILITY)).status).toBe(404);
  });

  it('bad input is a 400 naming the field, and changes nothing', async () => {
    const r = await planned();
    const cases: [object, string][] = [
      [{ ...AVAILABILITY, value: 100.5 }, 'value'],
      [{ ...LATENCY, value: -5 }, 'value'],
      [{ ...AVAILABILITY, category: 'happiness' }, 'category'],
      [{ ...AVAILABILITY, comparison: 'about' }, 'comparison'],
      [{ ...AVAILABILITY, statement: '   ' }, 'statement'],
      [{ ...AVAILABILITY, unit: '' }, 'unit'],
      [{ ...AVAILABILITY, value: 'high' }, 'value'],
      [{ ...AVAILABILITY, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await add(r, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { field?: string }).field, JSON.stringify(body)).toContain(field);
    }
    expect((await as.viewer.ok(as.viewer.get<Warranty>(warranty(r)))).requirements).toEqual([]);
  });
});

describe('races against real PostgreSQL', () => {
  it('changes made at once commit one at a time: each answer a revision of its own, none lost', async () => {
    const r = await planned();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        as.product_owner.ok(add(r, { ...LATENCY, statement: `p95 of endpoint ${i}` })),
      ),
    );
    expect(answers.map((w) => w.revision).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const now = await as.viewer.ok(as.viewer.get<Warranty>(warranty(r)));
    expect(now.requirements).toHaveLength(6);
    expect(now.revision).toBe(6);
  });

  it('a requirement added as the release goes live is either settled with it or refused, never added after', async () => {
    const r = await planned();
    for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
      await as.developer.ok(
        as.developer.post(rel(r, '/runs'), {
          environment,
          runId: `${environment}-${n}`,
          kind: 'deployment',
          outcome: 'success',
        }),
      );
    for (const item of r.readiness)
      await as.product_owner.ok(as.product_owner.post(rel(r, '/readiness'), { key: item.key, done: true }));
    await as.product_owner.ok(
      as.product_owner.post(rel(r, '/verdicts'), { verdict: 'go', reason: 'demoed' }),
    );
    const [added, live] = await Promise.all([
      add(r),
      as.maintenance.post<Release>(rel(r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }),
    ]);
    expect(live.status).toBe(200);
    const { rows } = await sql<{ created_at: Date; live_at: Date }>`
      select q.created_at, r.live_at from warranty_requirements q join releases r on r.id = q.release_id
      where q.release_id = ${r.id}`.execute(server.db);
    if (added.status === 200) {
      expect(rows).toHaveLength(1);
      expect(rows[0]!.created_at.getTime()).toBeLessThanOrEqual(rows[0]!.live_at.getTime());
    } else {
      expect([added.status, (added.body as unknown as { field: string }).field]).toEqual([409, 'state']);
      expect(rows).toHaveLength(0);
    }
  });
});

describe('measured during and after hyper-care', () => {
  it('criteria are settled at go-live; before it nothing can be measured', async () => {
    const r = await planned();
    const id = (await as.product_owner.ok(add(r))).requirements[0]!.id;
    const early = await as.developer.post(requirement(r, id, '/measurements'), { value: 99.99 });
    expect([early.status, (early.body as { field: string }).field]).toEqual([409, 'state']);
    await goLive(r);
    const late = await add(r, LATENCY);
    expect([late.status, (late.body as unknown as { field: string }).field]).toEqual([409, 'state']);
    expect((await as.product_owner.delete(requirement(r, id))).status).toBe(409);
  });

  it('the team records what it measured; the latest measurement decides met or not met', async () => {
    const r = await planned();
    await as.product_owner.ok(add(r));
    const w0 = await as.product_owner.ok(add(r, LATENCY));
    const [avail, p95] = w0.requirements.map((q) => q.id) as [string, string];
    await goLive(r);

    const w1 = await as.developer.ok(
      as.developer.post<Warranty>(requirement(r, p95, '/measurements'), {
        value: 340,
        note: 'Grafana, first week',
      }),
    );
    expect(w1.requirements[1]).toMatchObject({ status: 'not_met' });
    expect(w1.requirements[1]!.measurements[0]).toMatchObject({
      value: 340,
      note: 'Grafana, first week',
      by: { id: as.developer.userId },
    });
    const w2 = await as.product_owner.ok(
      as.product_owner.post<Warranty>(requirement(r, p95, '/measurements'), { value: 280 }),
    );
    expect(w2.requirements.map((q) => q.status)).toEqual(['not_measured', 'met']);
    expect(w2.requirements[1]!.measurements.map((m) => m.value)).toEqual([280, 340]);
    expect(w2.summary).toEqual({ met: 1, notMet: 0, notMeasured: 1 });

    // an older measurement recorded later does not override the newer one
    const past = w1.requirements[1]!.measurements[0]!.measuredAt;
    const w3 = await as.admin.ok(
      as.admin.post<Warranty>(requirement(r, p95, '/measurements'), { value: 999, measuredAt: past }),
    );
    expect(w3.requirements[1]!.status).toBe('met');

    const future = await as.developer.post(requirement(r, avail, '/measurements'), {
      value: 99.9,
      measuredAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect([future.status, (future.body as { field: string }).field]).toEqual([400, 'measuredAt']);
    const beforeLive = await as.developer.post(requirement(r, avail, '/measurements'), {
      value: 99.9,
      measuredAt: '2020-01-01T00:00:00Z',
    });
    expect([beforeLive.status, (beforeLive.body as { field: string }).field]).toEqual([400, 'measuredAt']);
    const notANumber = await as.developer.post(requirement(r, avail, '/measurements'), { value: 'up' });
    expect([notANumber.status, (notANumber.body as { field: string }).field]).toEqual([400, 'value']);
  });

  it('suggests availability from the linked outage incidents over the hyper-care window', async () => {
    const r = await planned();
    const id = (await as.product_owner.ok(add(r))).requirements[0]!.id;
    await goLive(r);
    const outage = await server.admin.createCard(boardId, {
      title: 'Checkout down',
      type: 'incident',
      labels: ['outage'],
    });
    await as.developer.ok(as.developer.post<Card>(rel(r, '/hypercare/incidents'), { cardId: outage.id }));
    // fixed times: ten days of hyper-care (since exited), one outage of 36 minutes within it
    const start = new Date('2026-06-01T00:00:00Z');
    await sql`update release_hypercare set started_at = ${start}, state = 'exited',
                exited_at = ${new Date(start.getTime() + 10 * 86_400_000)} where release_id = ${r.id}`.execute(
      server.db,
    );
    await sql`update cards set created_at = ${new Date(start.getTime() + 3_600_000)},
                done_at = ${new Date(start.getTime() + 3_600_000 + 36 * 60_000)} where id = ${outage.id}`.execute(
      server.db,
    );
    const w = await as.viewer.ok(as.viewer.get<Warranty>(warranty(r)));
    expect(w.requirements[0]!.suggested).toEqual({
      value: 99.75,
      basis: '36 min down in 1 linked outage over 10 days of hyper-care',
    });
    // after hyper-care a measurement is still recorded (the review checks against it)
    const measured = await as.developer.ok(
      as.developer.post<Warranty>(requirement(r, id, '/measurements'), { value: 99.75 }),
    );
    expect(measured.requirements[0]!.status).toBe('not_met');
  });
});

describe("the board's running hyper-care", () => {
  it('lists the live releases in hyper-care, and not once it has ended', async () => {
    const r = await goLive(await planned());
    const running = await as.viewer.ok(as.viewer.get<Hypercare[]>(`/api/boards/${boardId}/hypercare`));
    expect(running.map((h) => h.releaseId)).toContain(r.id);
    await as.product_owner.ok(as.product_owner.post(rel(r, '/hypercare/exit'), { reason: 'quiet week' }));
    const after = await as.viewer.ok(as.viewer.get<Hypercare[]>(`/api/boards/${boardId}/hypercare`));
    expect(after.map((h) => h.releaseId)).not.toContain(r.id);
    expect((await outsider.get(`/api/boards/${boardId}/hypercare`)).status).toBe(404);
  });
});

describe("the board's release cost model", () => {
  const costModel = `/api/boards/${'{board}'}/release-cost-model`;
  const path = () => costModel.replace('{board}', boardId);
  const PER_POINT: CostModelBody = {
    model: 'per_point',
    dayRate: 0,
    teamSize: 0,
    pointCost: 250,
    currency: 'GBP',
    startFrom: 'created',
  };

  it('starts at the default; the product owner sets per point; the outcomes report costs releases by it', async () => {
    const board = (await server.admin.createBoard('Costed')).id;
    const po = await memberWithRole(server, board, 'product_owner');
    const at = `/api/boards/${board}/release-cost-model`;
    expect(await po.ok(po.get<CostModelBody>(at))).toMatchObject({ model: 'day_rate', currency: 'EUR' });
    const { rows } = await sql<{ id: string }>`
      insert into releases (board_id, version, stream, environments, readiness, approvers, state, created_at, live_at)
      values (${board}, '1.0.0', 'development', '[]', '[]', '[]', 'live', ${new Date('2026-01-01T00:00:00Z')}, ${new Date('2026-01-11T00:00:00Z')})
      returning id`.execute(server.db);
    const card = await po.createCard(board, { title: 'Built', estimate: 8 });
    await sql`insert into release_cards (release_id, card_id, added_at) values (${rows[0]!.id}, ${card.id}, ${new Date('2026-01-02T00:00:00Z')})`.execute(
      server.db,
    );
    const before = await po.ok(po.get<ReleaseOutcomes>(`/api/boards/${board}/releases/outcomes`));
    expect(before.releases[0]!.cost).toBe(800 * 5 * 10);

    expect(await po.ok(po.put<CostModelBody>(at, PER_POINT))).toEqual(PER_POINT);
    expect(await po.ok(po.get<CostModelBody>(at))).toEqual(PER_POINT);
    const after = await po.ok(po.get<ReleaseOutcomes>(`/api/boards/${board}/releases/outcomes`));
    expect(after.costModel).toEqual(PER_POINT);
    expect(after.releases[0]!.cost).toBe(250 * 8);
  });

  it('bad input is a 400 naming the field, and changes nothing', async () => {
    const before = await as.admin.ok(as.admin.get<CostModelBody>(path()));
    const cases: [object, string][] = [
      [{ ...PER_POINT, currency: 'euro' }, 'currency'],
      [{ ...PER_POINT, dayRate: -1 }, 'dayRate'],
      [{ ...PER_POINT, model: 'vibes' }, 'model'],
      [{ ...PER_POINT, startFrom: 'never' }, 'startFrom'],
      [{ ...PER_POINT, teamSize: undefined }, 'teamSize'],
    ];
    for (const [body, field] of cases) {
      const res = await as.admin.put(path(), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { field?: string }).field, JSON.stringify(body)).toContain(field);
    }
    expect(await as.admin.ok(as.admin.get<CostModelBody>(path()))).toEqual(before);
  });

  it('each role: everyone reads it, only the product owner and the admin set it; other boards find nothing', async () => {
    for (const role of ROLES) {
      expect((await as[role].get(path())).status, role).toBe(200);
      const res = await as[role].put(path(), { ...PER_POINT, pointCost: 100 + ROLES.indexOf(role) });
      expect(res.status, role).toBe(role === 'admin' || role === 'product_owner' ? 200 : 403);
    }
    expect((await as.viewer.ok(as.viewer.get<CostModelBody>(path()))).pointCost).toBe(101);
    expect((await outsider.get(path())).status).toBe(404);
    expect((await outsider.put(path(), PER_POINT)).status).toBe(404);
  });
});

describe('each role against each warranty route', () => {
  type Setup = { r: Release; id: string };
  const fresh = async (live: boolean): Promise<Setup> => {
    const r = await planned();
    const id = (await as.admin.ok(add(r, AVAILABILITY, as.admin))).requirements[0]!.id;
    return { r: live ? await goLive(r) : r, id };
  };
  const actions: Record<
    string,
    { live: boolean; run: (c: ApiClient, s: Setup) => Promise<{ status: number }>; allowed: Role[] }
  > = {
    'read the warranty': { live: false, run: (c, s) => c.get(warranty(s.r)), allowed: [...ROLES] },
    'add a requirement': {
      live: false,
      run: (c, s) => add(s.r, LATENCY, c),
      allowed: ['admin', 'product_owner'],
    },
    'change a requirement': {
      live: false,
      run: (c, s) => c.put(requirement(s.r, s.id), { ...AVAILABILITY, value: 99 }),
      allowed: ['admin', 'product_owner'],
    },
    'remove a requirement': {
      live: false,
      run: (c, s) => c.delete(requirement(s.r, s.id)),
      allowed: ['admin', 'product_owner'],
    },
    'record a measurement': {
      live: true,
      run: (c, s) => c.post(requirement(s.r, s.id, '/measurements'), { value: 99.99 }),
      allowed: ['admin', 'product_owner', 'developer'],
    },
  };
  for (const [action, { live, run, allowed }] of Object.entries(actions)) {
    for (const role of ROLES) {
      const ok = allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${action}`, { timeout: 60_000 }, async () => {
        const s = await fresh(live);
        const before = await as.admin.ok(as.admin.get<Warranty>(warranty(s.r)));
        const res = await run(as[role], s);
        if (ok) expect(res.status).toBe(200);
        else {
          expect(res.status).toBe(403);
          expect(await as.admin.ok(as.admin.get<Warranty>(warranty(s.r)))).toEqual(before);
        }
      });
    }
  }

  it('someone from another board finds no warranty; an anonymous caller is asked to sign in', async () => {
    const { r, id } = await fresh(false);
    expect((await outsider.get(warranty(r))).status).toBe(404);
    expect((await outsider.post(warranty(r, '/requirements'), LATENCY)).status).toBe(404);
    expect((await outsider.post(requirement(r, id, '/measurements'), { value: 1 })).status).toBe(404);
    expect((await fetch(`${server.baseUrl}${warranty(r)}`)).status).toBe(401);
  });
});
