/** Every role against every release route: what each may do, and that a refusal changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let deployer: ApiClient;
let outsider: ApiClient;
let n = 0;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Release access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  deployer = await memberWithRole(server, boardId, 'developer', 'deployer');
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'product_owner');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/releases`;

/** A fresh release, at the shadow when asked (deployed by someone who is not the role under test). */
async function fresh(atShadow = false, firebreak = false): Promise<Release> {
  const r = await server.admin.ok(
    server.admin.post<Release>(base(), {
      version: `9.${++n}.0`,
      stream: 'development',
      ...(firebreak
        ? {
            firebreak: {
              environment: 'test',
              reason: 'manual checks',
              approvers: ['admin', 'product_owner', 'maintenance'],
            },
          }
        : {}),
    }),
  );
  if (atShadow)
    for (const environment of ['test', 'system-test', 'pre-production', 'production-shadow'])
      await deployer.ok(
        deployer.post(`${base()}/${r.id}/runs`, {
          environment,
          runId: `${environment}-${n}`,
          kind: 'deployment',
          outcome: 'success',
        }),
      );
  return server.admin.ok(server.admin.get<Release>(`${base()}/${r.id}`));
}

type Action = (c: ApiClient, r: Release) => Promise<{ status: number }>;
const actions: Record<string, { setup?: () => Promise<Release>; run: Action; allowed: Role[] }> = {
  'plan a release': {
    run: (c) => c.post(base(), { version: `x-${++n}`, stream: 'maintenance' }),
    allowed: ['admin', 'product_owner'],
  },
  'change a release’s scope': {
    run: async (c, r) => {
      const card = await server.admin.createCard(boardId, { title: 'in scope' });
      return c.post(`${base()}/${r.id}/scope`, { add: [card.id] });
    },
    allowed: ['admin', 'product_owner'],
  },
  'report a deployment': {
    run: (c, r) =>
      c.post(`${base()}/${r.id}/runs`, {
        environment: 'test',
        runId: `t-${++n}`,
        kind: 'deployment',
        outcome: 'success',
      }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'read a release’s runs': {
    setup: () => fresh(true),
    run: (c, r) => c.get(`${base()}/${r.id}/runs`),
    allowed: [...ROLES],
  },
  'edit a release’s tag, commit and shadow URL': {
    run: (c, r) =>
      c.patch(`${base()}/${r.id}`, {
        revision: r.revision,
        tag: `v-${++n}`,
        commit: 'abcdef0',
        shadowUrl: 'https://shadow.example.com',
      }),
    allowed: ['admin', 'product_owner'],
  },
  'ask the gate': {
    run: (c, r) => c.get(`${base()}/${r.id}/gate?environment=test`),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'tick a readiness item': {
    run: (c, r) => c.post(`${base()}/${r.id}/readiness`, { key: 'runbook', done: true }),
    allowed: ['admin', 'product_owner'],
  },
  'record a firebreak test': {
    setup: () => fresh(false, true),
    run: (c, r) => c.post(`${base()}/${r.id}/firebreak/tests`, { name: 'smoke', passed: true }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'approve a firebreak': {
    setup: () => fresh(false, true),
    run: (c, r) => c.post(`${base()}/${r.id}/firebreak/approve`),
    allowed: ['admin', 'product_owner', 'maintenance'],
  },
  'read the board’s path-to-live settings': {
    run: (c) => c.get(`/api/boards/${boardId}/release-settings`),
    allowed: [...ROLES],
  },
  'change the board’s path-to-live settings': {
    run: async (c) => {
      const current = await server.admin.ok(
        server.admin.get<Record<string, unknown>>(`/api/boards/${boardId}/release-settings`),
      );
      const { custom: _, ...settings } = current;
      return c.put(`/api/boards/${boardId}/release-settings`, settings);
    },
    allowed: ['admin', 'product_owner'],
  },
  'edit a release': {
    run: (c, r) => c.patch(`${base()}/${r.id}`, { revision: r.revision, notes: 'edited' }),
    allowed: ['admin', 'product_owner'],
  },
  'cancel a release': {
    run: (c, r) => c.patch(`${base()}/${r.id}`, { cancel: { reason: 'not needed' } }),
    allowed: ['admin', 'product_owner'],
  },
  'preview its notes': {
    run: (c, r) => c.get(`${base()}/${r.id}/notes.md`),
    allowed: [...ROLES],
  },
  'generate its notes': {
    run: (c, r) => c.post(`${base()}/${r.id}/notes/generate`),
    allowed: ['admin', 'product_owner'],
  },
  'create a card straight into a release': {
    run: (c, r) =>
      c.post(`/api/boards/${boardId}/cards`, { title: 'into it', type: 'story', releaseId: r.id }),
    allowed: ['admin', 'product_owner'],
  },
  'rotate the calendar feed token': {
    run: (c) => c.post(`${base()}/feed-token`),
    allowed: ['admin', 'product_owner'],
  },
  'read the calendar feed': {
    run: (c) => c.get(`${base()}.ics`),
    allowed: [...ROLES],
  },
  'give a go/no-go verdict': {
    setup: () => fresh(true),
    run: (c, r) => c.post(`${base()}/${r.id}/verdicts`, { verdict: 'no_go', reason: 'not yet' }),
    allowed: ['admin', 'product_owner', 'maintenance'],
  },
};

describe('each role against each release route', () => {
  for (const [action, { setup, run, allowed }] of Object.entries(actions)) {
    for (const role of ROLES) {
      const ok = allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${action}`, { timeout: 60_000 }, async () => {
        const r = await (setup ?? (() => fresh()))();
        const res = await run(clients[role], r);
        if (ok) {
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          const now = await server.admin.ok(server.admin.get<Release>(`${base()}/${r.id}`));
          expect(now).toEqual(r);
        }
      });
    }
  }

  it('every role may read the schedule; someone from another board finds no release, an anonymous caller is asked to sign in', async () => {
    const r = await fresh();
    for (const role of ROLES) expect((await clients[role].get(`${base()}/${r.id}`)).status).toBe(200);
    expect((await outsider.get(`${base()}/${r.id}`)).status).toBe(404);
    expect((await outsider.patch(`${base()}/${r.id}`, { notes: 'x' })).status).toBe(404);
    expect((await outsider.get(`${base()}/${r.id}/runs`)).status).toBe(404);
    expect((await outsider.get(`/api/boards/${boardId}/release-settings`)).status).toBe(404);
    expect((await outsider.post(`${base()}/feed-token`)).status).toBe(404);
    expect((await outsider.get(`${base()}.ics`)).status).toBe(404);
    expect(
      (
        await outsider.post(`${base()}/${r.id}/runs`, {
          environment: 'test',
          runId: 'o',
          kind: 'deployment',
          outcome: 'success',
        })
      ).status,
    ).toBe(404);
    const anonymous = await fetch(`${server.baseUrl}${base()}`);
    expect(anonymous.status).toBe(401);
    for (const url of [
      `/api/boards/${boardId}/release-settings`,
      `${base()}.ics`,
      `${base()}/${r.id}/notes.md`,
      `${base()}/${r.id}/runs`,
    ])
      expect((await fetch(`${server.baseUrl}${url}`)).status, url).toBe(401);
  });
});
