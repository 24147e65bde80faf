/**
 * A review checks the warranty against what hyper-care measured (issue 17), against a real server and
 * PostgreSQL: for each release a review lists, every warranty requirement with its latest measurement
 * and the verdict (met / not met / not measured); an item raised from a requirement not met carries
 * the measurement as baseline and the requirement as target, linked to the release; every member reads
 * it, an outsider does not, an unknown review is 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImprovementItem, Review, ReviewWarranty } from '../protocol/improvement.ts';
import type { Role } from '../protocol/model.ts';
import type { ReleaseOutcomes } from '../protocol/release-outcomes.ts';
import type { Release } from '../protocol/releases.ts';
import type { Warranty } from '../protocol/warranty.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
let server: TestServer;
let boardId: string;
const as = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Reviewed warranty')).id;
  for (const role of ROLES) as[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
});
afterAll(() => server?.close());

const rel = (r?: { id: string }, rest = '') => `/api/boards/${boardId}/releases${r ? `/${r.id}` : ''}${rest}`;
const imp = () => `/api/boards/${boardId}/improvement`;

async function goLive(r: Release): Promise<void> {
  for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
    await as.developer.ok(
      as.developer.post(rel(r, '/runs'), {
        environment,
        runId: `${environment}-${r.version}`,
        kind: 'deployment',
        outcome: 'success',
      }),
    );
  for (const item of r.readiness)
    await as.product_owner.ok(as.product_owner.post(rel(r, '/readiness'), { key: item.key, done: true }));
  await as.product_owner.ok(as.product_owner.post(rel(r, '/verdicts'), { verdict: 'go', reason: 'demoed' }));
  await as.maintenance.ok(
    as.maintenance.post(rel(r, '/verdicts'), { verdict: 'go', reason: 'runbook read' }),
  );
}

describe('a review checks the warranty against what hyper-care measured', () => {
  let review: Review;
  let live: Release;
  let other: Release;

  it('shows each reviewed release with its verdict per requirement, on the latest measurement', async () => {
    live = await server.admin.ok(
      server.admin.post<Release>(rel(), { version: '7.0.0', stream: 'development' }),
    );
    other = await server.admin.ok(
      server.admin.post<Release>(rel(), { version: '7.1.0', stream: 'development' }),
    );
    const reqs = async (body: object) =>
      (await as.product_owner.ok(as.product_owner.post<Warranty>(rel(live, '/warranty/requirements'), body)))
        .requirements;
    await reqs({
      category: 'availability',
      statement: 'Payments stay up',
      comparison: 'gte',
      value: 99.9,
      unit: '%',
    });
    await reqs({
      category: 'performance',
      statement: 'p95 checkout latency',
      comparison: 'lte',
      value: 300,
      unit: 'ms',
    });
    const all = await reqs({
      category: 'capacity',
      statement: '500 concurrent users',
      comparison: 'gte',
      value: 500,
      unit: 'users',
    });
    const id = (s: string) => all.find((r) => r.statement === s)!.id;
    await goLive(live);
    const measure = (reqId: string, value: number, measuredAt?: string) =>
      as.developer.ok(
        as.developer.post(rel(live, `/warranty/requirements/${reqId}/measurements`), {
          value,
          ...(measuredAt ? { measuredAt } : {}),
        }),
      );
    // the latest measurement decides: 99.95 now, 99.5 measured a moment later
    await measure(id('Payments stay up'), 99.95);
    await measure(id('Payments stay up'), 99.5, new Date(Date.now() + 2000).toISOString());
    await measure(id('p95 checkout latency'), 250);

    review = await as.product_owner.ok(
      as.product_owner.post<Review>(`${imp()}/reviews`, {
        heldAt: new Date().toISOString(),
        title: 'Release 7 review',
        releaseIds: [live.id, other.id],
      }),
    );
    const got = await as.viewer.ok(as.viewer.get<ReviewWarranty>(`${imp()}/reviews/${review.id}/warranty`));
    expect(got.reviewId).toBe(review.id);
    const seven = got.releases.find((r) => r.releaseId === live.id)!;
    expect(seven.version).toBe('7.0.0');
    expect(Object.fromEntries(seven.requirements.map((r) => [r.statement, r.status]))).toEqual({
      'Payments stay up': 'not_met',
      'p95 checkout latency': 'met',
      '500 concurrent users': 'not_measured',
    });
    const avail = seven.requirements.find((r) => r.statement === 'Payments stay up')!;
    expect(avail.measured?.value).toBe(99.5);
    expect(avail.target).toEqual({ comparison: 'gte', value: 99.9, unit: '%' });
    expect(seven.requirements.find((r) => r.status === 'not_measured')!.measured).toBeNull();
    expect(seven.summary).toEqual({ met: 1, notMet: 1, notMeasured: 1 });
    // a reviewed release without warranty requirements is listed, with nothing to check
    expect(got.releases.find((r) => r.releaseId === other.id)).toMatchObject({
      version: '7.1.0',
      requirements: [],
      summary: { met: 0, notMet: 0, notMeasured: 0 },
    });
  });

  it('raises an improvement item from a requirement not met, measurement as baseline and requirement as target', async () => {
    const item = await as.product_owner.ok(
      as.product_owner.post<ImprovementItem>(`${imp()}/items`, {
        title: 'Warranty not met: Payments stay up (7.0.0)',
        reviewId: review.id,
        baselineText: 'measured 99.5 %',
        baselineValue: 99.5,
        targetText: '≥ 99.9 %',
        targetValue: 99.9,
        unit: '%',
        releaseIds: [live.id],
      }),
    );
    expect(item).toMatchObject({
      reviewId: review.id,
      baseline: { value: 99.5 },
      target: { value: 99.9 },
      releases: [{ releaseId: live.id, version: '7.0.0' }],
    });
  });

  it('every member reads it; an outsider does not see the board (404); an unknown review is 404, a bad id 400', async () => {
    for (const role of ROLES)
      expect((await as[role].get(`${imp()}/reviews/${review.id}/warranty`)).status).toBe(200);
    expect((await outsider.get(`${imp()}/reviews/${review.id}/warranty`)).status).toBe(404);
    const unknown = await as.viewer.get(`${imp()}/reviews/00000000-0000-4000-8000-000000000000/warranty`);
    expect(unknown.status).toBe(404);
    const bad = await as.viewer.get<{ field?: string }>(`${imp()}/reviews/nope/warranty`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('reviewId');
  });
});

describe('how often the release procedure is reviewed, in the release outcomes report', () => {
  it('counts the reviews held per quarter, the current quarter last; a scheduled review is not counted', async () => {
    await as.product_owner.ok(
      as.product_owner.post(`${imp()}/reviews`, { scheduledOn: '2027-06-01', title: 'Later' }),
    );
    const report = await as.viewer.ok(
      as.viewer.get<ReleaseOutcomes>(`/api/boards/${boardId}/releases/outcomes`),
    );
    const now = new Date();
    const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
    expect(report.reviewsHeld).toHaveLength(4);
    // the one review held, today (from the first test)
    expect(report.reviewsHeld.at(-1)).toEqual({ quarter, held: 1 });
    expect(report.reviewsHeld.slice(0, 3).every((q) => q.held === 0)).toBe(true);
  });
});
