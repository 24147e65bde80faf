/**
 * A requester reaches the portal and nothing else: every board route in the OpenAPI document (so a
 * route added tomorrow is covered without touching this file), asked by a requester of that board
 * with a well-formed request naming their own request's card, answers 403 or 404 and changes
 * nothing; the board's socket room refuses them too. Every portal route is a 404 to another board's
 * requester and to the board's own members (the portal is the requester's), a 401 to no one signed
 * in. Another requester's request on the same board: portal.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Column, Snapshot } from '../protocol/model.ts';
import type { PortalRequest } from '../protocol/portal.ts';
import type { JoinAck } from '../protocol/socket.ts';
import {
  ApiClient,
  memberWithRole,
  requesterOn,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

interface Schema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}
interface Operation {
  method: string;
  path: string;
  params: { in: string; name: string; schema: Schema; required?: boolean }[];
  body?: Schema;
}

let server: TestServer;
let boardId: string;
let carol: ApiClient;
let own: PortalRequest;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Guarded')).id;
  carol = await requesterOn(server, boardId, 'carol');
  own = await carol.ok(
    carol.post<PortalRequest>(`/api/portal/boards/${boardId}/requests`, {
      requestType: 'change',
      title: 'Mine',
      description: '',
    }),
  );
});
afterAll(() => server.close());

function operations(): Operation[] {
  const doc = (
    server.app.http as unknown as {
      swagger(): {
        paths: Record<
          string,
          Record<
            string,
            {
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
      out.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
      });
  return out;
}

/** A value the schema takes: the smallest well-formed one, ids naming the requester's own card. */
function valid(s: Schema, name = ''): unknown {
  const branch = s.anyOf ?? s.oneOf;
  if (branch) return valid(branch.find((b) => b.type !== 'null') ?? branch[0]!, name);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((b) => valid(b, name)));
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = valid(s.properties?.[k] ?? {}, k);
      return o;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, (_, i) =>
        s.items?.format === 'uuid' && i > 0 ? crypto.randomUUID() : valid(s.items ?? {}, name),
      );
    case 'integer':
    case 'number':
      return Math.min(Math.max(s.minimum ?? 1, 1), s.maximum ?? 1);
    case 'boolean':
      return false;
    case 'string': {
      if (s.format === 'uuid') return own.id;
      if (s.format === 'date') return '2026-12-07';
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email' || name === 'email') return 'someone@example.com';
      if (s.format === 'uri' || name === 'url') return 'https://example.com/x';
      const min = s.minLength ?? 0;
      const candidates = ['09:00', 'AB', 'x', '1', '1.0.0', 'UTC', 'production', 'a-b', '2026-Q4'].map((c) =>
        c.length >= min ? c : c.padEnd(min, 'x'),
      );
      return (
        candidates.find((c) => !s.pattern || new RegExp(s.pattern).test(c)) ?? 'x'.repeat(Math.max(min, 1))
      );
    }
    default:
      return 'x';
  }
}

function request(op: Operation): { url: string; body?: unknown } {
  let url = op.path.replace('{boardId}', boardId);
  for (const p of op.params.filter((x) => x.in === 'path'))
    url = url.replace(`{${p.name}}`, String(valid(p.schema)));
  const query = op.params
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${p.name}=${encodeURIComponent(String(valid(p.schema, p.name)))}`);
  if (query.length) url += `?${query.join('&')}`;
  return {
    url,
    body: op.body ? valid(op.body) : op.method === 'GET' || op.method === 'DELETE' ? undefined : {},
  };
}

describe('a requester against every board route', () => {
  it('is refused (403/404) on each one, and nothing changes', async () => {
    const ops = operations().filter((op) => op.path.startsWith('/api/boards/{boardId}'));
    expect(ops.length).toBeGreaterThan(60);
    // The request's SLA clock records its start as an event of its own, after the card's commit.
    await server.app.services.sla.idle();
    const before = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const card = await server.admin.ok(server.admin.get<Card>(`/api/boards/${boardId}/cards/${own.id}`));
    const answered: string[] = [];
    for (const op of ops) {
      const { url, body } = request(op);
      const res = await carol.request<{ error?: string; field?: string }>(op.method, url, body);
      answered.push(
        `${op.method} ${op.path} → ${res.status}${res.status === 400 ? ` ${res.body.field}` : ''}`,
      );
    }
    expect(answered.filter((a) => !/→ 40[34]$/.test(a))).toEqual([]);
    const after = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    expect(after.seq).toBe(before.seq);
    expect(await server.admin.ok(server.admin.get<Card>(`/api/boards/${boardId}/cards/${own.id}`))).toEqual(
      card,
    );
    expect(after.columns.map((c: Column) => c.version)).toEqual(before.columns.map((c) => c.version));
  });

  it('cannot list the board, nor join its socket room', async () => {
    expect((await carol.get<unknown[]>('/api/boards')).body).toEqual([]);
    const socket = await socketFor(server, carol);
    try {
      const ack = await new Promise<JoinAck>((resolve) => socket.emit('board:join', { boardId }, resolve));
      expect(ack).toMatchObject({ ok: false });
    } finally {
      socket.close();
    }
  });
});

describe('the portal routes to anyone but the requester', () => {
  it("answer 404 to another board's requester and to the board's own members, 401 to no one signed in", async () => {
    const portalOps = operations().filter((op) => op.path.startsWith('/api/portal/boards/{boardId}'));
    expect(portalOps.length).toBe(6);
    const elsewhere = (await server.admin.createBoard('Other desk')).id;
    const stranger = await requesterOn(server, elsewhere, 'stranger');
    const member = await memberWithRole(server, boardId, 'admin', 'board-admin');
    const nobody = new ApiClient(server.baseUrl);
    const answered: string[] = [];
    for (const op of portalOps) {
      const { url, body } = request(op);
      for (const [who, client, expected] of [
        ['stranger', stranger, 404],
        ['member', member, 404],
        ['nobody', nobody, 401],
      ] as const) {
        const res = await client.request(op.method, url, body);
        if (res.status !== expected) answered.push(`${who} ${op.method} ${op.path} → ${res.status}`);
      }
    }
    expect(answered).toEqual([]);
    const list = await carol.ok(carol.get<PortalRequest[]>(`/api/portal/boards/${boardId}/requests`));
    expect(list.map((r) => [r.id, r.status])).toEqual([[own.id, 'open']]);
  });
});
