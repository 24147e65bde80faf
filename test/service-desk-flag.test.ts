/**
 * The service desk behind its feature flag (`service-desk`, default on): with the flag off for a
 * board, every SLA, on-call, problem/known-error and request portal route answers 404 naming the
 * flag (as releases do when theirs is off) and changes nothing; other boards keep them; on again,
 * they answer as before. The routes are walked from the OpenAPI document, so a route added to those features
 * tomorrow is covered. The clocks keep running while the flag is off.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Flag, SERVICE_DESK_FLAG } from '../protocol/flags.ts';
import type { PortalBoard, PortalRequest } from '../protocol/portal.ts';
import type { CardSla } from '../protocol/sla.ts';
import {
  type ApiClient,
  eventually,
  memberWithRole,
  requesterOn,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
let boardId: string;
let otherBoardId: string;
let viewer: ApiClient;
/** A requester of the board's portal (not a member), with one request filed. */
let requester: ApiClient;
let otherRequester: ApiClient;
/** Real ids a request can name, so the flag is the only thing in the way. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service desk flag')).id;
  otherBoardId = (await server.admin.createBoard('Service desk kept')).id;
  viewer = await memberWithRole(server, boardId, 'viewer');
  const incident = await server.admin.createCard(boardId, {
    title: 'Checkout down',
    type: 'incident',
    stream: 'maintenance',
  });
  const problem = await server.admin.createCard(boardId, {
    title: 'Pool exhaustion',
    type: 'problem',
    stream: 'maintenance',
  });
  requester = await requesterOn(server, boardId, 'carol');
  otherRequester = await requesterOn(server, otherBoardId, 'dave');
  const request = await requester.ok(
    requester.post<PortalRequest>(`/api/portal/boards/${boardId}/requests`, {
      requestType: 'change',
      title: 'New VPN account',
      description: 'For the new starter',
    }),
  );
  Object.assign(ids, {
    boardId,
    cardId: incident.id,
    targetId: problem.id,
    requestId: request.id,
    userId: requester.userId as string,
  });
});
afterAll(() => server.close());

const setFlag = (value: boolean | null, board = boardId) =>
  server.admin.ok(
    server.admin.put<Flag>(`/api/flags/${SERVICE_DESK_FLAG}/overrides`, {
      boardId: board,
      value,
      reason: 'test',
    }),
  );

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
}
interface Operation {
  method: string;
  path: string;
  params: { in: string; name: string; schema: Schema; required?: boolean }[];
  body?: Schema;
}

/** A valid value for the schema, naming our rows where the field is an id. */
function sample(schema: Schema, name = ''): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]!, name);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        (schema.required ?? []).map((k) => [k, sample(schema.properties?.[k] ?? {}, k)]),
      );
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string':
      if (schema.format === 'uuid') return ids[name] ?? randomUUID();
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return '2026-01-05';
      if (schema.pattern) {
        const fits = ['09:00', '2026-Q1'].find((v) => new RegExp(schema.pattern!).test(v));
        if (fits) return fits;
      }
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 4));
    default:
      return {};
  }
}

/**
 * Every route of the SLA, on-call, problems and portal features that names a board, from the OpenAPI
 * document (the list of one's portals names none: it leaves out boards with the flag off).
 */
function serviceDeskOperations(): Operation[] {
  const doc = (
    server.app.http as unknown as {
      swagger(): {
        paths: Record<
          string,
          Record<
            string,
            {
              tags?: string[];
              parameters?: Operation['params'];
              requestBody?: { content: Record<string, { schema: Schema }> };
            }
          >
        >;
      };
    }
  ).swagger();
  const out: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(byMethod))
      if (
        op.tags?.some((t) => ['sla', 'on-call', 'problems', 'portal'].includes(t)) &&
        op.parameters?.some((p) => p.in === 'path' && p.name === 'boardId')
      )
        out.push({
          method: method.toUpperCase(),
          path,
          params: op.parameters ?? [],
          body: op.requestBody?.content['application/json']?.schema,
        });
  return out;
}

function requestOf(op: Operation, board = boardId): { url: string; body?: unknown } {
  let url = op.path;
  const query = new URLSearchParams();
  for (const p of op.params) {
    const value = p.name === 'boardId' ? board : String(sample(p.schema, p.name));
    if (p.in === 'path') url = url.replace(`{${p.name}}`, value);
    else if (p.in === 'query' && p.required) query.set(p.name, value);
  }
  const q = query.toString();
  return { url: q ? `${url}?${q}` : url, body: op.body ? sample(op.body) : undefined };
}

const requesterCount = async () =>
  (
    await server.db
      .selectFrom('board_requesters')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('board_id', '=', boardId)
      .executeTakeFirstOrThrow()
  ).n;

const boardSeq = async () =>
  Number(
    (await server.db.selectFrom('boards').select('seq').where('id', '=', boardId).executeTakeFirstOrThrow())
      .seq,
  );

describe('the service desk behind its flag', () => {
  it('walks every SLA, on-call, problem and portal route naming a board (the OpenAPI document lists them)', () => {
    const paths = serviceDeskOperations().map((o) => `${o.method} ${o.path}`);
    expect(paths.length).toBeGreaterThanOrEqual(25);
    for (const p of [
      'GET /api/boards/{boardId}/sla',
      'PUT /api/boards/{boardId}/sla',
      'GET /api/boards/{boardId}/oncall/now',
      'GET /api/boards/{boardId}/reports/alert-noise',
      'GET /api/boards/{boardId}/known-errors',
      'GET /api/boards/{boardId}/cards/{cardId}/major-incident/report',
      'GET /api/portal/boards/{boardId}',
      'POST /api/portal/boards/{boardId}/requests',
      'POST /api/portal/boards/{boardId}/requests/{requestId}/comments',
      'POST /api/portal/boards/{boardId}/requests/{requestId}/rating',
      'GET /api/boards/{boardId}/cards/{cardId}/request',
      'PUT /api/boards/{boardId}/requesters',
      'DELETE /api/boards/{boardId}/requesters/{userId}',
    ])
      expect(paths).toContain(p);
  });

  it('off for a board: every route answers 404 naming the flag and changes nothing; other boards keep them', async () => {
    await setFlag(false);
    try {
      const seq = await boardSeq();
      const requesters = await requesterCount();
      for (const op of serviceDeskOperations()) {
        const { url, body } = requestOf(op);
        for (const client of [server.admin, viewer, requester]) {
          const res = await client.request(op.method, url, body);
          expect({ route: `${op.method} ${op.path}`, status: res.status, body: res.body }).toMatchObject({
            status: 404,
            body: { error: 'NOT_FOUND', flag: SERVICE_DESK_FLAG },
          });
        }
      }
      expect(await boardSeq()).toBe(seq);
      expect(await requesterCount()).toBe(requesters);
      // The board leaves its requester's list of portals.
      expect(await requester.ok(requester.get<PortalBoard[]>('/api/portal/boards'))).toEqual([]);
      // Another board keeps the service desk, its portal too.
      expect((await server.admin.get(`/api/boards/${otherBoardId}/sla`)).status).toBe(200);
      expect((await server.admin.get(`/api/boards/${otherBoardId}/oncall/now`)).status).toBe(200);
      expect((await otherRequester.get(`/api/portal/boards/${otherBoardId}/requests`)).status).toBe(200);
      expect(
        (await otherRequester.ok(otherRequester.get<PortalBoard[]>('/api/portal/boards'))).map((b) => b.id),
      ).toEqual([otherBoardId]);
      expect((await server.admin.get(`/api/boards/${otherBoardId}/requesters`)).status).toBe(200);
      // The flag as the board's members read it.
      const evaluated = await viewer.ok(
        viewer.get<{ flags: Record<string, boolean> }>(`/api/flags/evaluated?boardId=${boardId}`),
      );
      expect(evaluated.flags[SERVICE_DESK_FLAG]).toBe(false);
    } finally {
      await setFlag(null);
    }
    // On again: the requester finds the portal as they left it, the team its requesters.
    expect((await requester.ok(requester.get<PortalBoard[]>('/api/portal/boards'))).map((b) => b.id)).toEqual(
      [boardId],
    );
    const mine = await requester.ok(requester.get<PortalRequest[]>(`/api/portal/boards/${boardId}/requests`));
    expect(mine.map((r) => r.id)).toContain(ids.requestId);
    const requesters = await server.admin.ok(
      server.admin.get<{ userId: string }[]>(`/api/boards/${boardId}/requesters`),
    );
    expect(requesters.map((r) => r.userId)).toContain(requester.userId);
  });

  it('on (the default): no route answers as flag-off, none fails, and the reads answer 200', async () => {
    for (const op of serviceDeskOperations()) {
      const { url, body } = requestOf(op);
      const res = await server.admin.request(op.method, url, body);
      expect({
        route: `${op.method} ${op.path}`,
        flag: (res.body as { flag?: string } | null)?.flag,
      }).toEqual({
        route: `${op.method} ${op.path}`,
        flag: undefined,
      });
      expect(res.status, `${op.method} ${op.path}`).toBeLessThan(500);
    }
    for (const path of [
      'sla',
      'sla/clocks',
      'oncall/now',
      'oncall/rotas',
      'known-errors',
      'reports/alert-noise',
    ])
      expect((await viewer.get(`/api/boards/${boardId}/${path}`)).status, path).toBe(200);
  });

  it('off, an incident still gets its clocks: they count from its start and show once the flag is on', async () => {
    await setFlag(false);
    let cardId: string;
    try {
      cardId = (
        await server.admin.createCard(boardId, {
          title: 'Login slow',
          type: 'incident',
          stream: 'maintenance',
        })
      ).id;
      // The clock starts behind the flag: its row appears though its route is refused.
      await eventually(async () =>
        server.db.selectFrom('sla_clocks').select('card_id').where('card_id', '=', cardId).executeTakeFirst(),
      );
      expect((await server.admin.get(`/api/boards/${boardId}/cards/${cardId}/sla`)).status).toBe(404);
    } finally {
      await setFlag(null);
    }
    const clock = await server.admin.ok(
      server.admin.get<CardSla>(`/api/boards/${boardId}/cards/${cardId}/sla`),
    );
    expect(clock.resolution.elapsedMs).toBeGreaterThan(0);
  });
});
