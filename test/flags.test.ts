/**
 * Feature flags through the public API: who may change them, the audit of every change, bad input,
 * the reports feature behind its flag, the socket frame, and a change on one server instance applied
 * on another without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluatedFlags, Flag, FlagAuditEntry, FlagsChangedFrame } from '../protocol/flags.ts';
import type { Role } from '../protocol/model.ts';
import {
  type ApiClient,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
let boardId: string;
let otherBoardId: string;
const clients = {} as Record<Role, ApiClient>;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Flags')).id;
  otherBoardId = (await server.admin.createBoard('Untouched')).id;
  for (const role of ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const) {
    clients[role] = await memberWithRole(server, boardId, role);
  }
});
afterAll(() => server.close());

const setOverride = (client: ApiClient, key: string, body: Record<string, unknown>) =>
  client.put<Flag>(`/api/flags/${key}/overrides`, body);
const evaluated = async (client: ApiClient, board = boardId) =>
  (await client.ok(client.get<EvaluatedFlags>(`/api/flags/evaluated?boardId=${board}`))).flags;
const velocity = (client: ApiClient, board = boardId) => client.get(`/api/boards/${board}/reports/velocity`);

describe('who may manage flags', () => {
  for (const role of ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const) {
    it(`a board ${role} who is not a site administrator may not list, change or audit flags`, async () => {
      const c = clients[role];
      expect((await c.get('/api/flags')).status).toBe(403);
      expect((await c.get('/api/flags/audit')).status).toBe(403);
      const res = await setOverride(c, 'service-desk', { boardId, value: false, reason: 'trying' });
      expect(res).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
      expect((await evaluated(server.admin))['service-desk']).toBe(true);
    });
  }

  it('without signing in, every flag route is 401', async () => {
    for (const path of ['/api/flags', '/api/flags/audit', `/api/flags/evaluated?boardId=${boardId}`]) {
      expect((await fetch(`${server.baseUrl}${path}`)).status).toBe(401);
    }
  });

  it('the site administrator lists the catalogue: new capabilities default on', async () => {
    const flags = await server.admin.ok(server.admin.get<Flag[]>('/api/flags'));
    for (const key of ['reports', 'releases', 'hypercare', 'service-desk']) {
      expect(flags.find((f) => f.key === key)).toMatchObject({ type: 'boolean', defaultValue: true });
    }
  });

  it('every member reads the flags as they apply to them on the board; an outsider gets 404', async () => {
    expect(await evaluated(clients.viewer)).toMatchObject({ reports: true, releases: true });
    const outsider = await memberWithRole(server, otherBoardId, 'developer', 'outsider');
    expect((await outsider.get(`/api/flags/evaluated?boardId=${boardId}`)).status).toBe(404);
  });
});

describe('changing a flag', () => {
  it('is audited: who, when, which scope, old and new value, why', async () => {
    await server.admin.ok(
      setOverride(server.admin, 'releases', { boardId, value: false, reason: 'not yet' }),
    );
    await server.admin.ok(setOverride(server.admin, 'releases', { boardId, value: true, reason: 'go' }));
    await server.admin.ok(setOverride(server.admin, 'releases', { boardId, value: null }));
    const log = await server.admin.ok(
      server.admin.get<FlagAuditEntry[]>('/api/flags/audit?flagKey=releases'),
    );
    expect(log.map((e) => [e.oldValue, e.newValue, e.reason])).toEqual([
      [true, null, null],
      [false, true, 'go'],
      [null, false, 'not yet'],
    ]);
    expect(log[0]).toMatchObject({ flagKey: 'releases', boardId, role: null, actorName: expect.any(String) });
    expect(log[0]!.actorId).toBe(server.admin.userId);
    expect(Date.parse(log[0]!.at)).not.toBeNaN();
  });

  it('concurrent changes of one scope each record the value they replaced (the audit is a chain)', async () => {
    const values = [false, true, false, true, false, true, false, true];
    await Promise.all(
      values.map((value, i) =>
        server.admin.ok(
          setOverride(server.admin, 'service-desk', { boardId: otherBoardId, value, reason: `race ${i}` }),
        ),
      ),
    );
    const log = (
      await server.admin.ok(
        server.admin.get<FlagAuditEntry[]>('/api/flags/audit?flagKey=service-desk&limit=999'),
      )
    )
      .filter((e) => e.boardId === otherBoardId)
      .reverse();
    expect(log.length).toBeGreaterThan(0);
    expect(log[0]!.oldValue).toBeNull();
    for (let i = 1; i < log.length; i++) expect(log[i]!.oldValue).toBe(log[i - 1]!.newValue);
    const flag = (await server.admin.ok(server.admin.get<Flag[]>('/api/flags'))).find(
      (f) => f.key === 'service-desk',
    );
    expect(flag?.overrides.find((o) => o.boardId === otherBoardId)?.value).toBe(log.at(-1)!.newValue);
    await server.admin.ok(setOverride(server.admin, 'service-desk', { boardId: otherBoardId, value: null }));
  });

  it('setting the value it already has records nothing', async () => {
    const before = await server.admin.ok(
      server.admin.get<FlagAuditEntry[]>('/api/flags/audit?flagKey=hypercare'),
    );
    await server.admin.ok(setOverride(server.admin, 'hypercare', { value: null }));
    const after = await server.admin.ok(
      server.admin.get<FlagAuditEntry[]>('/api/flags/audit?flagKey=hypercare'),
    );
    expect(after).toEqual(before);
  });

  it('the most specific scope wins for each member', async () => {
    await server.admin.ok(setOverride(server.admin, 'hypercare', { value: false, reason: 'installation' }));
    await server.admin.ok(setOverride(server.admin, 'hypercare', { role: 'viewer', value: true }));
    await server.admin.ok(setOverride(server.admin, 'hypercare', { boardId, value: true }));
    await server.admin.ok(
      setOverride(server.admin, 'hypercare', { boardId, role: 'developer', value: false }),
    );
    expect((await evaluated(clients.viewer)).hypercare).toBe(true);
    expect((await evaluated(clients.developer)).hypercare).toBe(false);
    expect((await evaluated(clients.maintenance)).hypercare).toBe(true);
    expect((await evaluated(server.admin, otherBoardId)).hypercare).toBe(false);
    const flag = (await server.admin.ok(server.admin.get<Flag[]>('/api/flags'))).find(
      (f) => f.key === 'hypercare',
    );
    expect(flag?.overrides).toHaveLength(4);
  });

  describe('bad input is a 400 naming the field and changes nothing', () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['a value of the wrong type', 'service-desk', { value: 'off' }, 'value'],
      ['a missing value', 'service-desk', { boardId }, 'value'],
      ['a board id that is not a uuid', 'service-desk', { boardId: 'nope', value: false }, 'boardId'],
      [
        'a board that does not exist',
        'service-desk',
        { boardId: '00000000-0000-4000-8000-000000000000', value: false },
        'boardId',
      ],
      ['an unknown role', 'service-desk', { role: 'owner', value: false }, 'role'],
      ['an unknown field', 'service-desk', { value: false, scope: 'all' }, 'scope'],
      ['a reason that is not text', 'service-desk', { value: false, reason: 5 }, 'reason'],
      ['a key that cannot be a flag', 'SLA!', { value: false }, 'key'],
    ];
    for (const [what, key, body, field] of cases) {
      it(what, async () => {
        const res = await setOverride(server.admin, key, body);
        expect(res).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED', field } });
        expect((await evaluated(server.admin))['service-desk']).toBe(true);
      });
    }

    it('an audit limit out of range', async () => {
      const res = await server.admin.get('/api/flags/audit?limit=0');
      expect(res).toMatchObject({ status: 400, body: { field: 'limit' } });
    });

    it('an unknown flag is a 404', async () => {
      const res = await setOverride(server.admin, 'teleport', { value: true });
      expect(res).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
    });
  });
});

describe('releases behind their flag', () => {
  it('off for a board: the release routes answer 404 saying so and plan nothing; on again, they work', async () => {
    const releases = `/api/boards/${boardId}/releases`;
    expect((await clients.viewer.get(releases)).status).toBe(200);
    await server.admin.ok(
      setOverride(server.admin, 'releases', { boardId, value: false, reason: 'not yet' }),
    );
    try {
      const planned = await server.admin.post(releases, { version: 'off-1', stream: 'development' });
      expect(planned).toMatchObject({ status: 404, body: { flag: 'releases' } });
      expect(await clients.viewer.get(releases)).toMatchObject({ status: 404, body: { flag: 'releases' } });
    } finally {
      await server.admin.ok(setOverride(server.admin, 'releases', { boardId, value: null }));
    }
    const list = await server.admin.ok(server.admin.get<{ version: string }[]>(releases));
    expect(list.map((r) => r.version)).not.toContain('off-1');
  });
});

describe('the reports feature behind its flag', () => {
  it('off for a board: its report routes answer 404 saying so; other boards keep reports', async () => {
    expect((await velocity(clients.viewer)).status).toBe(200);
    await server.admin.ok(setOverride(server.admin, 'reports', { boardId, value: false, reason: 'demo' }));
    try {
      for (const path of ['reports/velocity', 'reports/flow']) {
        const res = await clients.viewer.get(`/api/boards/${boardId}/${path}`);
        expect(res).toMatchObject({
          status: 404,
          body: { error: 'NOT_FOUND', flag: 'reports', message: expect.stringContaining('turned off') },
        });
      }
      expect((await evaluated(clients.viewer)).reports).toBe(false);
      expect((await velocity(server.admin, otherBoardId)).status).toBe(200);
    } finally {
      await server.admin.ok(setOverride(server.admin, 'reports', { boardId, value: null }));
    }
    expect((await velocity(clients.viewer)).status).toBe(200);
  });

  it('off for one role: only that role loses reports', async () => {
    await server.admin.ok(setOverride(server.admin, 'reports', { role: 'viewer', value: false }));
    try {
      expect((await velocity(clients.viewer)).status).toBe(404);
      expect((await velocity(clients.developer)).status).toBe(200);
    } finally {
      await server.admin.ok(setOverride(server.admin, 'reports', { role: 'viewer', value: null }));
    }
  });
});

describe('live changes', () => {
  it('every open socket hears a change', async () => {
    const socket = await socketFor(server, clients.viewer);
    try {
      const heard = new Promise<FlagsChangedFrame>((resolve) => socket.once('flags:changed', resolve));
      await server.admin.ok(setOverride(server.admin, 'service-desk', { boardId, value: false }));
      expect(await heard).toEqual({ keys: ['service-desk'] });
    } finally {
      socket.close();
      await server.admin.ok(setOverride(server.admin, 'service-desk', { boardId, value: null }));
    }
  });

  it('a change on one instance is applied on another, running, instance and told to its sockets', async () => {
    const second = await startServer({}, server.databaseUrl);
    try {
      const viewerThere = clients.viewer;
      const onSecond = await socketFor(second, viewerThere);
      const heard = new Promise<FlagsChangedFrame>((resolve) => onSecond.once('flags:changed', resolve));
      const viaSecond = (path: string) =>
        fetch(`${second.baseUrl}${path}`, { headers: { cookie: viewerThere.sessionCookie! } });
      expect((await viaSecond(`/api/boards/${boardId}/reports/velocity`)).status).toBe(200);

      await server.admin.ok(setOverride(server.admin, 'reports', { boardId, value: false, reason: 'both' }));

      expect(await heard).toEqual({ keys: ['reports'] });
      expect((await viaSecond(`/api/boards/${boardId}/reports/velocity`)).status).toBe(404);
      onSecond.close();

      // and back, from the second instance to the first
      await second.admin.ok(setOverride(second.admin, 'reports', { boardId, value: null }));
      await eventually(async () => (await velocity(clients.viewer)).status === 200);
    } finally {
      await second.close();
    }
  });
});
