/**
 * The service report against real PostgreSQL: clocks, acknowledgements and ratings written by SQL
 * with fixed times, then attainment, MTTA/MTTR, satisfaction and backlog read back per month and
 * quarter in the board's SLA time zone (Europe/London by default); the CSV; bad input; and the
 * quarterly SLA review minutes (revision, one per quarter, board event).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceReport, SlaReview } from '../protocol/service-report.ts';
import { CSV_COLUMNS } from '../server/domain/service-report.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
let viewer: ApiClient;
let n = 0;

const MIN = 60_000;
const H = 60 * MIN;
const t = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

/** An incident (or request) card with its clock, written as the SLA service leaves it. */
async function clock(o: {
  kind?: 'incident' | 'request';
  tier?: string;
  startedAt: Date;
  respondedAt?: Date;
  resolvedAt?: Date;
  fired?: string[];
  ackedAt?: Date;
}) {
  n++;
  const { rows } = await sql<{ id: string }>`
    insert into cards (board_id, number, key, title, type, rank, stream, created_at, done_at)
    values (${boardId}, ${2000 + n}, ${`SRV-${n}`}, ${`card ${n}`}, ${o.kind === 'request' ? 'service_request' : 'incident'},
            ${`zz${String(n).padStart(4, '0')}`}, 'maintenance', ${o.startedAt}, ${o.resolvedAt ?? null})
    returning id`.execute(server.db);
  const id = rows[0]!.id;
  await sql`
    insert into sla_clocks (card_id, board_id, kind, started_at, tiers, response_met_at, resolved_at, fired)
    values (${id}, ${boardId}, ${o.kind ?? 'incident'}, ${o.startedAt},
            ${JSON.stringify([
              { at: o.startedAt.toISOString(), tier: 'low' },
              { at: o.startedAt.toISOString(), tier: o.tier ?? 'normal' },
            ])},
            ${o.respondedAt ?? null}, ${o.resolvedAt ?? null}, ${o.fired ?? []}::text[])`.execute(server.db);
  if (o.ackedAt)
    await sql`
      insert into oncall_escalations (board_id, card_id, steps, triggered_at, acked_at)
      values (${boardId}, ${id}, '[]', ${o.startedAt}, ${o.ackedAt})`.execute(server.db);
  return id;
}

async function rating(cardId: string, rating: number, ratedAt: Date) {
  await sql`insert into request_ratings (card_id, board_id, rating, rated_at)
            values (${cardId}, ${boardId}, ${rating}, ${ratedAt})`.execute(server.db);
}

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service')).id;
  viewer = await memberWithRole(server, boardId, 'viewer');

  // January: four critical incidents, each restored in an hour; one breached its resolution target.
  // Two were paged and acknowledged (10 and 20 minutes), two answered by a person (30 and 60).
  const jan = '2026-01-10T10:00:00Z';
  await clock({ tier: 'critical', startedAt: t(jan), ackedAt: t(jan, 10 * MIN), resolvedAt: t(jan, H) });
  await clock({
    tier: 'critical',
    startedAt: t(jan, 2 * H),
    ackedAt: t(jan, 2 * H + 20 * MIN),
    respondedAt: t(jan, 2 * H + 5 * MIN), // the page's acknowledgement counts, not this
    resolvedAt: t(jan, 3 * H),
  });
  await clock({
    tier: 'critical',
    startedAt: t(jan, 4 * H),
    respondedAt: t(jan, 4 * H + 30 * MIN),
    resolvedAt: t(jan, 5 * H),
  });
  await clock({
    tier: 'critical',
    startedAt: t(jan, 6 * H),
    respondedAt: t(jan, 7 * H),
    resolvedAt: t(jan, 7 * H),
    fired: ['resolution.warning', 'resolution.breached'],
  });
  // February: a high incident breaching both clocks, resolved after 10 hours; a high one still open.
  await clock({
    tier: 'high',
    startedAt: t('2026-02-02T09:00:00Z'),
    respondedAt: t('2026-02-02T12:00:00Z'),
    resolvedAt: t('2026-02-02T19:00:00Z'),
    fired: ['response.warning', 'response.breached', 'resolution.warning', 'resolution.breached'],
  });
  await clock({ tier: 'high', startedAt: t('2026-02-20T00:00:00Z') });
  // Requests: one fulfilled in February (rated 5), one on 31 March 23:30 UTC, which is 1 April in
  // London (BST), so April's (rated 2).
  const febRequest = await clock({
    kind: 'request',
    startedAt: t('2026-02-03T09:00:00Z'),
    respondedAt: t('2026-02-03T10:00:00Z'),
    resolvedAt: t('2026-02-05T09:00:00Z'),
  });
  const aprRequest = await clock({
    kind: 'request',
    startedAt: t('2026-03-30T09:00:00Z'),
    respondedAt: t('2026-03-30T09:30:00Z'),
    resolvedAt: t('2026-03-31T23:30:00Z'),
  });
  await rating(febRequest, 5, t('2026-02-06T10:00:00Z'));
  await rating(aprRequest, 2, t('2026-04-02T10:00:00Z'));
  // Long ago: outside every window asked for below.
  await clock({
    tier: 'critical',
    startedAt: t('2023-05-01T00:00:00Z'),
    resolvedAt: t('2023-05-01T01:00:00Z'),
  });
});
afterAll(() => server.close());

const url = (q: string) => `/api/boards/${boardId}/service-report${q}`;
const report = (q: string) => viewer.ok(viewer.get<ServiceReport>(url(q)));
const tier = (r: ServiceReport, period: number, name: string) =>
  r.periods[period]!.tiers.find((x) => x.tier === name)!;

describe('the service report', () => {
  it('per month, in the board’s SLA time zone', async () => {
    const r = await report('?period=month&from=2026-01-01&to=2026-04-30');
    expect(r.timeZone).toBe('Europe/London');
    expect(r.periods.map((p) => p.key)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(r.periods[3]!.start).toBe('2026-03-31T23:00:00.000Z');
    expect(tier(r, 0, 'critical')).toMatchObject({
      opened: 4,
      resolved: 4,
      resolutionMet: 3,
      resolutionBreached: 1,
      resolutionAttainment: 0.75,
      responseAttainment: 1,
      mttaMinutes: (10 + 20 + 30 + 60) / 4,
      mttrMinutes: 60,
    });
    expect(tier(r, 1, 'high')).toMatchObject({
      opened: 2,
      resolved: 1,
      responseAttainment: 0,
      resolutionAttainment: 0,
      mttaMinutes: 180,
      mttrMinutes: 600,
    });
    expect(r.periods.map((p) => p.incidents)).toEqual([4, 2, 0, 0]);
    expect(r.periods.map((p) => p.requestsFulfilled)).toEqual([0, 1, 0, 1]);
    expect(r.periods[1]).toMatchObject({ ratings: 1, satisfactionMean: 5, satisfiedShare: 1 });
    expect(r.periods[3]).toMatchObject({ ratings: 1, satisfactionMean: 2, satisfiedShare: 0 });
    // backlog at the end of February: the high incident open since 20 Feb, 9 days (London is on UTC)
    expect(r.periods[1]!.backlog).toEqual({ open: 1, ageP50Hours: 9 * 24, ageP90Hours: 9 * 24 });
    expect(r.periods[0]!.backlog.open).toBe(0);
  });

  it('per quarter, with totals for the window', async () => {
    const r = await report('?period=quarter&from=2026-01-01&to=2026-06-30');
    expect(r.periods.map((p) => p.key)).toEqual(['2026-Q1', '2026-Q2']);
    expect(tier(r, 0, 'critical').resolutionAttainment).toBe(0.75);
    expect(tier(r, 0, 'request')).toMatchObject({ opened: 2, resolved: 1, resolutionAttainment: 1 });
    expect(r.periods[1]!.requestsFulfilled).toBe(1);
    const totals = Object.fromEntries(r.totals.map((x) => [x.tier, x]));
    expect(totals.critical).toMatchObject({ resolved: 4, resolutionAttainment: 0.75 });
    expect(totals.high).toMatchObject({ resolved: 1, resolutionAttainment: 0 });
    expect(totals.request).toMatchObject({ resolved: 2, resolutionAttainment: 1 });
  });

  it('CSV: the columns, a row per period and tier and one for all', async () => {
    const res = await viewer.get<string>(url('.csv?period=quarter&from=2026-01-01&to=2026-06-30'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('service-report.csv');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 2 * 6);
    const critical = lines[1]!.split(',');
    expect(critical.slice(0, 11)).toEqual([
      '2026-Q1',
      '2026-01-01T00:00:00.000Z',
      'critical',
      '4',
      '4',
      '1',
      '3',
      '1',
      '0.75',
      '30',
      '60',
    ]);
    expect(lines[6]!.split(',').slice(0, 3)).toEqual(['2026-Q1', '2026-01-01T00:00:00.000Z', 'all']);
  });

  it('refuses a bad period or window with a 400 naming the field', async () => {
    for (const [q, field] of [
      ['?period=week', 'period'],
      ['?from=2026-02-30', 'from'],
      ['?to=9999-12-31', 'to'],
      ['?period=month&from=2024-01-01&to=2026-06-30', 'from'],
      ['?period=quarter&from=2024-01-01&to=2026-06-30', 'from'],
      ['?from=2026-06-01&to=2026-01-01', 'from'],
    ] as const) {
      for (const path of [url(q), url(`.csv${q}`)]) {
        const res = await viewer.get<{ field: string }>(path);
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.body.field).toBe(field);
      }
    }
  });
});

const review = (over: Partial<SlaReview> = {}) => ({
  quarter: '2026-Q1',
  heldOn: '2026-04-08',
  attendees: ['Ana (service manager)', 'Ben (customer)'],
  minutes: '## Attainment\nCritical **75%**: one breach in January.',
  actions: [{ text: 'Page the second line after 10 minutes', owner: 'Ana', done: false }],
  ...over,
});

describe('SLA review minutes', () => {
  it('recorded once per quarter, edited by revision, shown in the report of its quarter', async () => {
    const admin = server.admin;
    const created = await admin.post<SlaReview>(`/api/boards/${boardId}/sla-reviews`, review());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ quarter: '2026-Q1', revision: 1, attendees: review().attendees });

    const twice = await admin.post<{ field: string }>(`/api/boards/${boardId}/sla-reviews`, review());
    expect([twice.status, twice.body.field]).toEqual([409, 'quarter']);
    const early = await admin.post<{ field: string }>(
      `/api/boards/${boardId}/sla-reviews`,
      review({ quarter: '2026-Q3', heldOn: '2026-06-30' }),
    );
    expect([early.status, early.body.field]).toEqual([400, 'heldOn']);

    const path = `/api/boards/${boardId}/sla-reviews/${created.body.id}`;
    const edited = await admin.put<SlaReview>(path, { ...review({ minutes: 'Agreed.' }), revision: 1 });
    expect(edited.body).toMatchObject({ revision: 2, minutes: 'Agreed.' });
    const stale = await admin.put<{ field: string }>(path, { ...review({ minutes: 'Lost.' }), revision: 1 });
    expect([stale.status, stale.body.field]).toEqual([409, 'revision']);

    const q = await report('?period=quarter&from=2026-01-01&to=2026-06-30');
    expect(q.reviews.map((x) => [x.quarter, x.minutes])).toEqual([['2026-Q1', 'Agreed.']]);
    expect((await report('?period=quarter&from=2026-04-01&to=2026-06-30')).reviews).toEqual([]);

    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from board_events where board_id = ${boardId} and type = 'sla.review_changed'`.execute(
      server.db,
    );
    expect(rows[0]!.n).toBe(2);
    expect((await admin.delete(path)).status).toBe(204);
    expect(
      (await viewer.ok(viewer.get<{ reviews: SlaReview[] }>(`/api/boards/${boardId}/sla-reviews`))).reviews,
    ).toEqual([]);
  });
});

describe('SLA review races', () => {
  it('of two records of one quarter, one is kept; of two edits on one revision, one wins', async () => {
    const admin = server.admin;
    const creates = await Promise.all(
      [1, 2, 3].map((i) =>
        admin.post<SlaReview>(
          `/api/boards/${boardId}/sla-reviews`,
          review({ quarter: '2025-Q4', minutes: `by ${i}` }),
        ),
      ),
    );
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const kept = creates.find((r) => r.status === 201)!.body;
    const path = `/api/boards/${boardId}/sla-reviews/${kept.id}`;
    const edits = await Promise.all(
      [1, 2, 3].map((i) =>
        admin.put<SlaReview>(path, { ...review({ quarter: '2025-Q4', minutes: `edit ${i}` }), revision: 1 }),
      ),
    );
    expect(edits.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const winner = edits.find((r) => r.status === 200)!.body;
    const { reviews } = await viewer.ok(
      viewer.get<{ reviews: SlaReview[] }>(`/api/boards/${boardId}/sla-reviews`),
    );
    expect(reviews.find((r) => r.quarter === '2025-Q4')).toMatchObject({
      revision: 2,
      minutes: winner.minutes,
    });
  });
});
