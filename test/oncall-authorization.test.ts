/** Every role against every on-call route: who may read, edit rotas and policies, acknowledge; an outsider sees nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../protocol/model.ts';
import type { Policy, Rota } from '../protocol/oncall.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
const MANAGERS: Role[] = ['admin', 'product_owner', 'maintenance'];
const WORKERS: Role[] = ['admin', 'product_owner', 'developer', 'maintenance'];
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;
let rota: Rota;
let policy: Policy;

const body = () => ({
  name: 'Weekly',
  duty: 'ams',
  members: [clients.maintenance.userId],
  pattern: { kind: 'weekly', zone: 'Europe/Berlin', handoffWeekday: 1, handoffTime: '09:00' },
  startDate: '2026-01-05',
});
const policyBody = () => ({
  name: 'Critical',
  priorities: ['critical'],
  steps: [{ target: { kind: 'on_duty', rotaId: rota.id }, afterMinutes: 0 }],
});
const base = () => `/api/boards/${boardId}`;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('On-call access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
  rota = await server.admin.ok(server.admin.post<Rota>(`${base()}/oncall/rotas`, body()));
  policy = await server.admin.ok(server.admin.post<Policy>(`${base()}/oncall/policies`, policyBody()));
});
afterAll(() => server.close());

type Call = (c: ApiClient) => Promise<{ status: number }>;
const routes: Record<string, { run: Call; allowed: Role[] }> = {
  'list rotas': { run: (c) => c.get(`${base()}/oncall/rotas`), allowed: [...ROLES] },
  'read a rota': { run: (c) => c.get(`${base()}/oncall/rotas/${rota.id}`), allowed: [...ROLES] },
  'who is on duty now': { run: (c) => c.get(`${base()}/oncall/now`), allowed: [...ROLES] },
  'a rota’s shifts': {
    run: (c) =>
      c.get(`${base()}/oncall/rotas/${rota.id}/shifts?from=2026-03-01T00:00:00Z&to=2026-03-15T00:00:00Z`),
    allowed: [...ROLES],
  },
  'a person’s service history': {
    run: (c) => c.get(`${base()}/oncall/history/${clients.maintenance.userId}`),
    allowed: [...ROLES],
  },
  'list policies': { run: (c) => c.get(`${base()}/oncall/policies`), allowed: [...ROLES] },
  'alert noise': { run: (c) => c.get(`${base()}/reports/alert-noise`), allowed: [...ROLES] },
  'create a rota': { run: (c) => c.post(`${base()}/oncall/rotas`, body()), allowed: MANAGERS },
  'edit a rota': { run: (c) => c.put(`${base()}/oncall/rotas/${rota.id}`, body()), allowed: MANAGERS },
  'add an override': {
    run: (c) =>
      c.post(`${base()}/oncall/rotas/${rota.id}/covers`, {
        kind: 'override',
        userId: clients.developer.userId,
        from: '2026-06-01T00:00:00Z',
        to: '2026-06-02T00:00:00Z',
      }),
    allowed: MANAGERS,
  },
  'delete a rota': {
    run: async (c) => {
      const r = await server.admin.ok(server.admin.post<Rota>(`${base()}/oncall/rotas`, body()));
      return c.delete(`${base()}/oncall/rotas/${r.id}`);
    },
    allowed: MANAGERS,
  },
  'create a policy': { run: (c) => c.post(`${base()}/oncall/policies`, policyBody()), allowed: MANAGERS },
  'edit a policy': {
    run: (c) => c.put(`${base()}/oncall/policies/${policy.id}`, policyBody()),
    allowed: MANAGERS,
  },
  'delete a policy': {
    run: async (c) => {
      const p = await server.admin.ok(server.admin.post<Policy>(`${base()}/oncall/policies`, policyBody()));
      return c.delete(`${base()}/oncall/policies/${p.id}`);
    },
    allowed: MANAGERS,
  },
  'acknowledge an incident': {
    run: async (c) => {
      const card = await server.admin.createCard(boardId, {
        title: 'Down',
        type: 'incident',
        stream: 'maintenance',
        priority: 'critical',
      });
      // the escalation starts after the card's commit: wait for it, then acknowledge
      for (let i = 0; i < 200; i++) {
        if ((await server.admin.get(`${base()}/incidents/${card.id}/escalation`)).status === 200) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return c.post(`${base()}/incidents/${card.id}/ack`);
    },
    allowed: WORKERS,
  },
};

describe('on-call authorisation', () => {
  for (const [name, { run, allowed }] of Object.entries(routes)) {
    it(`${name}: ${allowed.join(', ')} only`, async () => {
      for (const role of ROLES) {
        const res = await run(clients[role]);
        if (allowed.includes(role)) expect(res.status, `${role} ${name}`).toBeLessThan(300);
        else expect(res.status, `${role} ${name}`).toBe(403);
      }
      // someone from another board does not learn the board exists
      expect((await run(outsider)).status, `outsider ${name}`).toBe(404);
    });
  }

  it('a refused edit changes nothing', async () => {
    const before = await server.admin.ok(server.admin.get<Rota>(`${base()}/oncall/rotas/${rota.id}`));
    expect(
      (await clients.developer.put(`${base()}/oncall/rotas/${rota.id}`, { ...body(), name: 'Hijacked' }))
        .status,
    ).toBe(403);
    expect(await server.admin.ok(server.admin.get<Rota>(`${base()}/oncall/rotas/${rota.id}`))).toEqual(
      before,
    );
  });
});
