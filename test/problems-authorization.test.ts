/** Every role against every problem and known-error route: what each may do, and that a refusal changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Role } from '../protocol/model.ts';
import type { CardLink } from '../protocol/problems.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
const WORKERS: Role[] = ['admin', 'product_owner', 'developer', 'maintenance'];
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Problem access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
});
afterAll(() => server.close());

interface Fixture {
  incident: Card;
  problem: Card;
}
async function fresh(): Promise<Fixture> {
  const incident = await server.admin.createCard(boardId, { title: 'Down', type: 'incident' });
  const problem = await server.admin.createCard(boardId, { title: 'Why', type: 'problem' });
  return { incident, problem };
}
const url = (id: string, rest = '') => `/api/boards/${boardId}/cards/${id}${rest}`;

/** What a refused write must leave as it was: both cards, their links and records. */
async function state(f: Fixture) {
  const get = (p: string) => server.admin.ok(server.admin.get(p));
  return Promise.all([
    get(url(f.incident.id)),
    get(url(f.problem.id)),
    get(url(f.incident.id, '/links')),
    get(url(f.problem.id, '/problem')),
    get(url(f.incident.id, '/major-incident')),
  ]);
}

type Action = (c: ApiClient, f: Fixture) => Promise<{ status: number }>;
const linked = async (f: Fixture) => {
  await server.admin.ok(
    server.admin.post<CardLink[]>(url(f.incident.id, '/links'), {
      targetId: f.problem.id,
      kind: 'has_problem',
    }),
  );
};
const actions: Record<
  string,
  { setup?: (f: Fixture) => Promise<void>; run: Action; allowed: readonly Role[] }
> = {
  'read a card’s links': { run: (c, f) => c.get(url(f.incident.id, '/links')), allowed: ROLES },
  'link two cards': {
    run: (c, f) => c.post(url(f.incident.id, '/links'), { targetId: f.problem.id, kind: 'has_problem' }),
    allowed: WORKERS,
  },
  'take a link away': {
    setup: linked,
    run: (c, f) => c.delete(url(f.incident.id, `/links/${f.problem.id}?kind=has_problem`)),
    allowed: WORKERS,
  },
  'read a problem’s record': { run: (c, f) => c.get(url(f.problem.id, '/problem')), allowed: ROLES },
  'edit a problem’s record': {
    run: (c, f) => c.patch(url(f.problem.id, '/problem'), { rootCause: 'a leak' }),
    allowed: WORKERS,
  },
  'search the known errors': {
    run: (c) => c.get(`/api/boards/${boardId}/known-errors?q=leak`),
    allowed: ROLES,
  },
  'read an incident’s workarounds': {
    run: (c, f) => c.get(url(f.incident.id, '/workarounds')),
    allowed: ROLES,
  },
  'read a major incident': { run: (c, f) => c.get(url(f.incident.id, '/major-incident')), allowed: ROLES },
  'flag a major incident': {
    run: (c, f) => c.patch(url(f.incident.id, '/major-incident'), { major: true }),
    allowed: WORKERS,
  },
  'read an incident’s timeline': { run: (c, f) => c.get(url(f.incident.id, '/timeline')), allowed: ROLES },
  'generate the major-incident report': {
    run: (c, f) => c.get(url(f.incident.id, '/major-incident/report')),
    allowed: ROLES,
  },
};

describe('each role against each problem route', () => {
  for (const [action, { setup, run, allowed }] of Object.entries(actions)) {
    for (const role of ROLES) {
      const ok = allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${action}`, { timeout: 60_000 }, async () => {
        const f = await fresh();
        await setup?.(f);
        const before = await state(f);
        const res = await run(clients[role], f);
        if (ok) {
          expect(res.status).toBeLessThan(300);
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
    const anonymous = await fetch(`${server.baseUrl}/api/boards/${boardId}/known-errors`);
    expect(anonymous.status).toBe(401);
  });
});
