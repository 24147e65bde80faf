/**
 * Every role against every review-and-improve route: managers (admin, product owner, the AMS lead as
 * maintenance) run it all, a developer updates the items they own, everyone reads; a refusal changes
 * nothing, and someone from another board finds nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImprovementItem, Review } from '../protocol/improvement.ts';
import type { Role } from '../protocol/model.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
const MANAGERS: Role[] = ['admin', 'product_owner', 'maintenance'];
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Improvement access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/improvement`;

interface Fixture {
  review: Review;
  /** owned by the developer */
  owned: ImprovementItem;
  /** owned by the product owner */
  other: ImprovementItem;
}
async function fresh(): Promise<Fixture> {
  const admin = server.admin;
  const review = await admin.ok(admin.post<Review>(`${base()}/reviews`, { scheduledOn: '2027-01-10' }));
  const item = (title: string, ownerId: string | null) =>
    admin.ok(
      admin.post<ImprovementItem>(`${base()}/items`, {
        title,
        ownerId,
        targetText: 'measurable',
        dueQuarter: '2027-Q1',
        reviewId: review.id,
      }),
    );
  return {
    review,
    owned: await item('Dev owns it', clients.developer.userId),
    other: await item('PO owns it', clients.product_owner.userId),
  };
}

/** What a refused write must leave as it was. */
async function state(f: Fixture) {
  const get = (p: string) => server.admin.ok(server.admin.get(p));
  return Promise.all([
    get(`${base()}/reviews/${f.review.id}`),
    get(`${base()}/items/${f.owned.id}`),
    get(`${base()}/items/${f.other.id}`),
    get(`${base()}`).then((o) => (o as { settings: unknown }).settings),
  ]);
}

type Action = (c: ApiClient, f: Fixture) => Promise<{ status: number }>;
const actions: Record<string, { run: Action; allowed: readonly Role[] }> = {
  'read the overview': { run: (c) => c.get(base()), allowed: ROLES },
  'set the review cadence': {
    run: (c) => c.put(`${base()}/settings`, { cadenceWeeks: 3 }),
    allowed: MANAGERS,
  },
  'list the reviews': { run: (c) => c.get(`${base()}/reviews`), allowed: ROLES },
  'read a review': { run: (c, f) => c.get(`${base()}/reviews/${f.review.id}`), allowed: ROLES },
  'schedule a review': {
    run: (c) => c.post(`${base()}/reviews`, { scheduledOn: '2027-02-01' }),
    allowed: MANAGERS,
  },
  'record a review': {
    run: (c, f) =>
      c.patch(`${base()}/reviews/${f.review.id}`, {
        revision: f.review.revision,
        heldAt: new Date().toISOString(),
        minutes: 'held',
      }),
    allowed: MANAGERS,
  },
  'take a review off the schedule': {
    run: (c, f) => c.delete(`${base()}/reviews/${f.review.id}`),
    allowed: MANAGERS,
  },
  'list the items': { run: (c) => c.get(`${base()}/items?status=proposed`), allowed: ROLES },
  'read an item': { run: (c, f) => c.get(`${base()}/items/${f.owned.id}`), allowed: ROLES },
  'raise an item': { run: (c) => c.post(`${base()}/items`, { title: 'New idea' }), allowed: MANAGERS },
  'edit an item they own': {
    run: (c, f) =>
      c.patch(`${base()}/items/${f.owned.id}`, { revision: f.owned.revision, targetText: 'sharper' }),
    allowed: [...MANAGERS, 'developer'],
  },
  'edit someone else’s item': {
    run: (c, f) =>
      c.patch(`${base()}/items/${f.other.id}`, { revision: f.other.revision, targetText: 'sharper' }),
    allowed: MANAGERS,
  },
  'hand an item they own to someone else': {
    run: (c, f) =>
      c.patch(`${base()}/items/${f.owned.id}`, {
        revision: f.owned.revision,
        ownerId: clients.maintenance.userId,
      }),
    allowed: MANAGERS,
  },
  'move an item they own along': {
    run: (c, f) =>
      c.post(`${base()}/items/${f.owned.id}/status`, { revision: f.owned.revision, status: 'planned' }),
    allowed: [...MANAGERS, 'developer'],
  },
  'move someone else’s item along': {
    run: (c, f) =>
      c.post(`${base()}/items/${f.other.id}/status`, { revision: f.other.revision, status: 'planned' }),
    allowed: MANAGERS,
  },
  'delete an item': { run: (c, f) => c.delete(`${base()}/items/${f.owned.id}`), allowed: MANAGERS },
};

describe('each role against each review-and-improve route', () => {
  for (const [action, { run, allowed }] of Object.entries(actions)) {
    for (const role of ROLES) {
      const ok = allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${action}`, { timeout: 60_000 }, async () => {
        const f = await fresh();
        const before = await state(f);
        const res = await run(clients[role], f);
        if (ok) {
          expect(res.status, JSON.stringify(res)).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect(await state(f)).toEqual(before);
        }
      });
    }
  }

  it('someone from another board finds nothing, and changes nothing; an anonymous caller is asked to sign in', async () => {
    const f = await fresh();
    const before = await state(f);
    for (const { run } of Object.values(actions)) expect((await run(outsider, f)).status).toBe(404);
    expect(await state(f)).toEqual(before);
    const anonymous = await fetch(`${server.baseUrl}/api/boards/${boardId}/improvement`);
    expect(anonymous.status).toBe(401);
  });
});
