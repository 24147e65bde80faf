/** Every role against every notification-target route: who may, and that a refusal changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../protocol/model.ts';
import type { CreatedNotificationTarget, NotificationTarget } from '../protocol/notifications.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;
let n = 0;

beforeAll(async () => {
  // Targets point at a closed local port: nothing here needs a delivery to succeed.
  server = await startServer({ NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_CONCURRENCY: '0' });
  boardId = (await server.admin.createBoard('Notification access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'product_owner');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/notification-targets`;
const body = () => ({
  name: `ops ${++n}`,
  url: 'http://127.0.0.1:9/hook',
  format: 'slack',
  events: ['release.state_changed'],
});
async function fresh(): Promise<NotificationTarget> {
  return (await server.admin.ok(server.admin.post<CreatedNotificationTarget>(base(), body()))).target;
}
const everything = async () => {
  const targets = await server.admin.ok(server.admin.get<NotificationTarget[]>(base()));
  const logs = await Promise.all(
    targets.map((t) => server.admin.ok(server.admin.get(`${base()}/${t.id}/deliveries`))),
  );
  return { targets, logs };
};

type Action = (c: ApiClient, t: NotificationTarget) => Promise<{ status: number }>;
const actions: Record<string, Action> = {
  'list targets': (c) => c.get(base()),
  'add a target': (c) => c.post(base(), body()),
  'change a target': (c, t) => c.patch(`${base()}/${t.id}`, { enabled: false }),
  'remove a target': (c, t) => c.delete(`${base()}/${t.id}`),
  'read a delivery log': (c, t) => c.get(`${base()}/${t.id}/deliveries`),
  'send a test': (c, t) => c.post(`${base()}/${t.id}/test`),
};
const ALLOWED: Role[] = ['admin', 'product_owner'];

describe('each role against each notification route', () => {
  for (const [action, run] of Object.entries(actions)) {
    for (const role of ROLES) {
      const ok = ALLOWED.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${action}`, async () => {
        const t = await fresh();
        const before = await everything();
        const res = await run(clients[role], t);
        if (ok) {
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect(await everything()).toEqual(before);
        }
      });
    }
    it(`a member of another board may not ${action} (404: the board is hidden)`, async () => {
      const t = await fresh();
      const before = await everything();
      expect((await run(outsider, t)).status).toBe(404);
      expect(await everything()).toEqual(before);
    });
  }

  it('a target of another board is not found through this one', async () => {
    const other = (await server.admin.createBoard('Other targets')).id;
    const t = (
      await server.admin.ok(
        server.admin.post<CreatedNotificationTarget>(`/api/boards/${other}/notification-targets`, body()),
      )
    ).target;
    for (const res of [
      await server.admin.patch(`${base()}/${t.id}`, { enabled: false }),
      await server.admin.delete(`${base()}/${t.id}`),
      await server.admin.get(`${base()}/${t.id}/deliveries`),
      await server.admin.post(`${base()}/${t.id}/test`),
    ])
      expect(res.status).toBe(404);
  });

  it('never shows the secret or the routing key after creation', async () => {
    const created = await server.admin.ok(
      server.admin.post<CreatedNotificationTarget>(base(), {
        ...body(),
        format: 'pagerduty',
        routingKey: 'R0UTING-KEY-123',
      }),
    );
    const listed = JSON.stringify(await server.admin.ok(server.admin.get(base())));
    expect(listed).not.toContain(created.secret);
    expect(listed).not.toContain('R0UTING-KEY-123');
    expect(created.target.hasRoutingKey).toBe(true);
    // and both are sealed at rest
    const row = await server.db
      .selectFrom('notification_targets')
      .select(['secret', 'routing_key'])
      .where('id', '=', created.target.id)
      .executeTakeFirstOrThrow();
    expect(row.secret.startsWith('v1:')).toBe(true);
    expect(row.secret).not.toContain(created.secret);
    expect(row.routing_key?.startsWith('v1:')).toBe(true);
    expect(server.secrets.open(row.secret)).toBe(created.secret);
  });
});
