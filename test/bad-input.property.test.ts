/**
 * Bad input never makes a server error: every route and every socket frame answers it with a 4xx
 * JSON error naming the field, and changes nothing (no board's sequence moves, no table gains or
 * loses a row). First the inputs once seen as 500s, then a property test (fast-check) that walks the
 * OpenAPI document, so a route added tomorrow is covered without touching this file.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, Snapshot, Sprint } from '../protocol/model.ts';
import { DragFrame, JoinFrame, MoveFrame } from '../protocol/socket.ts';
import { type ClientSocket, socketFor, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let socket: ClientSocket;
/** Real ids a request can name, so a bad value in one field is the only thing wrong with it. */
const ids: Record<string, string> = {};
const boardId = () => ids.boardId as string;

beforeAll(async () => {
  server = await startServer();
  const { admin } = server;
  const boardId = (await admin.createBoard('Bad input')).id;
  const card = await admin.createCard(boardId, { title: 'Target' });
  const other = await admin.createCard(boardId, { title: 'Neighbour' });
  const snapshot = await admin.ok(admin.get<Snapshot>(`/api/boards/${boardId}`));
  const column = snapshot.columns.find((c) => c.stream === 'maintenance') as Column;
  const sprint = await admin.ok(admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'S1' }));
  const next = await admin.ok(admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'S2' }));
  const installation = await admin.ok(
    admin.post<{ id: string }>(`/api/boards/${boardId}/plugins`, { pluginId: 'generic-ci' }),
  );
  const token = await admin.ok(admin.post<{ id: string }>('/api/tokens', { name: 'bad input' }));
  const release = await admin.ok(
    admin.post<{ id: string }>(`/api/boards/${boardId}/releases`, {
      version: '1.0.0',
      stream: 'development',
    }),
  );
  const review = await admin.ok(
    admin.post<{ id: string }>(`/api/boards/${boardId}/improvement/reviews`, { scheduledOn: '2027-01-04' }),
  );
  const item = await admin.ok(
    admin.post<{ id: string }>(`/api/boards/${boardId}/improvement/items`, { title: 'Improve' }),
  );
  Object.assign(ids, {
    reviewId: review.id,
    itemId: item.id,
    releaseId: release.id,
    boardId,
    cardId: card.id,
    afterId: other.id,
    beforeId: other.id,
    columnId: column.id,
    sprintId: sprint.id,
    nextSprintId: next.id,
    installationId: installation.id,
    tokenId: token.id,
    assigneeId: admin.userId as string,
  });
  socket = await socketFor(server, admin);
});
afterAll(async () => {
  socket?.close();
  await server?.close();
});

// ---- What must not change -----------------------------------------------------------------------

/** Every board's sequence and every table's row count. */
async function state(): Promise<Record<string, number>> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(server.db);
  const counts = sql.join(
    tables.map((t) => sql`select ${t.name} as k, count(*)::int as n from ${sql.table(t.name)}`),
    sql` union all `,
  );
  const { rows } = await sql<{ k: string; n: number }>`
    ${counts} union all select 'seq:' || id, seq::int from boards`.execute(server.db);
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

// ---- Requests whose JSON the client cannot stringify (20,000 levels overflow JSON.stringify) ---

class Deep {
  constructor(readonly levels: number) {}
  text(): string {
    return `${'{"a":'.repeat(this.levels)}1${'}'.repeat(this.levels)}`;
  }
}
function toJson(value: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_k, v) => (v instanceof Deep ? `\u0001deep${deep.push(v) - 1}` : v));
  return text.replace(/"\\u0001deep(\d+)"/g, (_m, i) => deep[Number(i)]!.text());
}

interface Refusal {
  status: number;
  body: { error?: unknown; field?: unknown; message?: unknown } | string | null;
}
async function send(method: string, path: string, body?: unknown): Promise<Refusal> {
  const res = await server.admin.request(method, path, body === undefined ? undefined : toJson(body));
  return { status: res.status, body: res.body as Refusal['body'] };
}

/** 4xx, a JSON error with a code, and for a 400 the field it is about. */
function expectRefusal(res: Refusal, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  expect(typeof res.body, JSON.stringify(res.body)).toBe('object');
  const body = res.body as { error?: unknown; field?: unknown };
  expect(typeof body.error).toBe('string');
  if (res.status === 400) expect(typeof body.field, JSON.stringify(body)).toBe('string');
  if (field !== undefined) expect(body.field).toBe(field);
}

// ---- Inputs seen as 500s ----------------------------------------------------------------------------

describe('bad input once answered with a server error', () => {
  it('a NUL character in a text field is refused, naming the field, even before signing in', async () => {
    const before = await state();
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ad\u0000min@example.com', password: 'admin-password' }),
    });
    expectRefusal({ status: login.status, body: await login.json() }, 'email');
    expectRefusal(
      await send('POST', `/api/boards/${ids.boardId}/cards`, { title: 'Payment\u0000 fails', type: 'story' }),
      'title',
    );
    expectRefusal(
      await send('POST', `/api/boards/${ids.boardId}/cards`, {
        title: 'Labelled',
        type: 'story',
        labels: ['ok', 'n\u0000'],
      }),
      'labels.1',
    );
    expectRefusal(await send('GET', `/api/boards/${ids.boardId}/events?after=1&limit=%00`), 'limit');
    expect(await state()).toEqual(before);
  });

  it('a plugin config nested 20,000 levels deep is refused, naming config', async () => {
    const before = await state();
    const res = await send('POST', `/api/boards/${ids.boardId}/plugins`, {
      pluginId: 'generic-ci',
      config: new Deep(20_000),
    });
    expectRefusal(res, 'config');
    expectRefusal(
      await send('PATCH', `/api/boards/${ids.boardId}/plugins/${ids.installationId}`, {
        config: { routing: new Deep(20_000) },
      }),
      'config',
    );
    expect(await state()).toEqual(before);
  });

  it('a webhook payload with a NUL character is refused (and logged as refused), naming the field', async () => {
    const { boardId: board, installationId } = ids;
    const secret = await server.admin.ok(
      server.admin.post<{ secret: string }>(`/api/boards/${board}/plugins/${installationId}/secret`, {}),
    );
    const seqBefore = (await state())[`seq:${board}`];
    const res = await fetch(`${server.baseUrl}/hooks/${installationId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret.secret}` },
      body: JSON.stringify({ pipeline: 'deploy', status: 'failed', runId: '7\u0000' }),
    });
    expectRefusal({ status: res.status, body: await res.json() }, 'runId');
    expect((await state())[`seq:${board}`]).toBe(seqBefore);
  });

  it('events after a sequence number beyond any safe integer is refused, naming after', async () => {
    expectRefusal(await send('GET', `/api/boards/${ids.boardId}/events?after=${'9'.repeat(30)}`), 'after');
  });

  it('a whitespace-only title is refused on create as on edit', async () => {
    const before = await state();
    expectRefusal(
      await send('POST', `/api/boards/${ids.boardId}/cards`, { title: ' \t ', type: 'story' }),
      'title',
    );
    expectRefusal(
      await send('PATCH', `/api/boards/${ids.boardId}/cards/${ids.cardId}`, { version: 1, title: '   ' }),
      'title',
    );
    expect(await state()).toEqual(before);
  });

  it('a column position beyond any safe integer is refused, naming position (found by the property)', async () => {
    const before = await state();
    expectRefusal(
      await send('POST', `/api/boards/${ids.boardId}/columns`, {
        stream: 'development',
        name: 'Far right',
        category: 'todo',
        position: 2 ** 53 + 2,
      }),
      'position',
    );
    expect(await state()).toEqual(before);
  });

  it('a join with sinceSeq 1e300 is refused, naming sinceSeq', async () => {
    const ack = await socket.emitWithAck('board:join', { boardId: boardId(), sinceSeq: 1e300 });
    expect(ack).toMatchObject({ ok: false, error: 'VALIDATION_FAILED', field: 'sinceSeq' });
  });

  it("a join with sinceSeq beyond the board's sequence gets a snapshot at the board's sequence", async () => {
    const { seq } = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${ids.boardId}`));
    const ack = await socket.emitWithAck('board:join', { boardId: boardId(), sinceSeq: seq + 1000 });
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot', seq });
    const current = await socket.emitWithAck('board:join', { boardId: boardId(), sinceSeq: seq });
    expect(current).toEqual({ ok: true, mode: 'events', seq, events: [] });
  });
});

// ---- The property: every route, every frame ------------------------------------------------------

/** The subset of JSON Schema the OpenAPI document uses for our routes. */
interface Schema {
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  format?: string;
  pattern?: string;
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  const?: unknown;
}

const SAMPLE_STRINGS = ['2026-01-05', 'AB', 'abc', '1', 'a@b.co', 'some text', '09:00', '2026-Q1'];

/** A valid value for the schema, naming real rows where the field is an id we hold. */
function sample(schema: Schema, name = ''): unknown {
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return sample(schema.anyOf.find((s) => s.type !== 'null') ?? schema.anyOf[0]!, name);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sample(schema.properties?.[key] ?? {}, key);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'uuid') return ids[name] ?? ids[name.replace(/s$/, '')] ?? randomUUID();
      const min = schema.minLength ?? 1;
      const fits = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Infinity);
      const match = (s: string) => !schema.pattern || new RegExp(schema.pattern).test(s);
      return SAMPLE_STRINGS.find((s) => fits(s) && match(s)) ?? 'x'.repeat(min);
    }
    default:
      return {};
  }
}

const nulString = fc
  .tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))
  .map(([a, b]) => `${a}\u0000${b}`);
const deep = fc.integer({ min: 40, max: 20_000 }).map((n) => new Deep(n));
const unsafeNumber = fc.oneof(
  fc.constantFrom(1e300, -1e300, 2 ** 53 + 2, 1e30),
  fc.double({ min: 2 ** 53, noNaN: true, noDefaultInfinity: true }),
);

/** TypeBox writes a nullable field as anyOf [T, null]; the OpenAPI document as T with nullable. */
function plain(schema: Schema): Schema {
  const branches = schema.anyOf;
  if (!branches) return schema;
  const nonNull = branches.filter((b) => b.type !== 'null');
  return nonNull.length === 1 ? { ...nonNull[0], nullable: nonNull.length < branches.length } : schema;
}

/** Values the schema refuses (or the input guard does), whatever else the request holds. */
function badFor(input: Schema): fc.Arbitrary<unknown> {
  const schema = plain(input);
  const options: fc.Arbitrary<unknown>[] = [nulString, deep];
  const type = schema.enum ? 'enum' : schema.type;
  const notNull = schema.nullable ? [] : [null];
  switch (type) {
    case 'enum':
      options.push(fc.constantFrom('not-one-of-them', 1, ...notNull));
      break;
    case 'string':
      options.push(fc.constantFrom(123, true, {}, [], ...notNull));
      if (schema.maxLength !== undefined)
        options.push(fc.integer({ min: 1, max: 3000 }).map((n) => 'x'.repeat(schema.maxLength! + n)));
      if ((schema.minLength ?? 0) > 0) options.push(fc.constant(''));
      if (schema.format === 'uuid') options.push(fc.constantFrom('not-a-uuid', `${randomUUID()}x`));
      // An impossible calendar date is the subject of its own test below.
      if (schema.pattern && !schema.pattern.includes('\\d{4}-'))
        options.push(
          fc.constantFrom('!', ' ', '9'.repeat(30)).filter((s) => !new RegExp(schema.pattern!).test(s)),
        );
      break;
    case 'integer':
    case 'number':
      options.push(fc.constantFrom('1', true, {}, [], ...notNull));
      if (schema.maximum !== undefined) options.push(fc.constant(schema.maximum + 1));
      if (schema.minimum !== undefined) options.push(fc.constant(schema.minimum - 1));
      if (type === 'integer') options.push(fc.constant(1.5));
      // Beyond any safe integer: refused (400), or not found / stale (404, 409); never stored.
      if (type === 'integer' || schema.maximum === undefined) options.push(unsafeNumber);
      break;
    case 'boolean':
      options.push(fc.constantFrom('true', 0, {}, ...notNull));
      break;
    case 'array':
      options.push(fc.constantFrom('x', {}, 1, ...notNull));
      if (schema.maxItems !== undefined && schema.items)
        options.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, () => sample(schema.items!))));
      break;
    case 'object':
      options.push(fc.constantFrom('x', [], 1, ...notNull));
      options.push(nulString.map((k) => ({ [k]: 1 })));
      if (schema.additionalProperties === false)
        options.push(fc.constant({ ...(sample(schema) as object), unexpected: 1 }));
      break;
  }
  return fc.oneof(...options);
}

interface Field {
  path: string[];
  schema: Schema;
}
/** The body itself and every field in it, nested objects and array items included. */
function fieldsOf(input: Schema, path: string[] = []): Field[] {
  const schema = plain(input);
  const out: Field[] = [{ path, schema }];
  for (const [key, s] of Object.entries(schema.properties ?? {})) out.push(...fieldsOf(s, [...path, key]));
  if (schema.type === 'array' && schema.items) out.push(...fieldsOf(schema.items, [...path, '0']));
  return out;
}
function setAt(value: unknown, path: string[], bad: unknown): unknown {
  if (path.length === 0) return bad;
  const [head, ...rest] = path as [string, ...string[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string, unknown>;
  copy[head] = setAt(copy[head] ?? (rest.length ? (/^\d+$/.test(rest[0]!) ? [] : {}) : undefined), rest, bad);
  return copy;
}

interface Operation {
  method: string;
  path: string;
  params: { in: string; name: string; schema: Schema; required?: boolean }[];
  body?: Schema;
}
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
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      const params = (op.parameters ?? []).filter((p) => p.in !== 'path' || path.includes(`{${p.name}}`));
      const body = op.requestBody?.content['application/json']?.schema;
      if (params.length > 0 || body) out.push({ method: method.toUpperCase(), path, params, body });
    }
  }
  return out;
}

/**
 * Whether the parameter's schema refuses this query-string value. A free-text search (`q`) takes
 * "not-a-uuid" or "ünïcode" as a fine query; only values its schema refuses are bad input.
 */
function refusedInQuery(input: Schema, v: string): boolean {
  const s = plain(input);
  if (v.includes('\u0000')) return true;
  if (s.anyOf) return s.anyOf.every((b) => b.type === 'null' || refusedInQuery(b, v));
  if (s.const !== undefined) return s.const !== v;
  if (s.enum) return !s.enum.includes(v);
  if (s.type === 'integer' || s.type === 'number') {
    const n = Number(v);
    if (!/^-?\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) return true;
    if (s.type === 'integer' && !Number.isSafeInteger(n)) return true;
    return (s.minimum !== undefined && n < s.minimum) || (s.maximum !== undefined && n > s.maximum);
  }
  if (s.type === 'boolean') return v !== 'true' && v !== 'false';
  if (s.pattern && !new RegExp(s.pattern).test(v)) return true;
  if (s.format === 'uuid') return !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
  // Dates and the like: none of the bad texts is one.
  if (s.format) return true;
  return (s.maxLength !== undefined && v.length > s.maxLength) || v.length < (s.minLength ?? 0);
}

/** One request with exactly one bad value in it: in the path, the query string or the body. */
function badRequest(op: Operation): fc.Arbitrary<{ url: string; body?: unknown; where: string }> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const query = op.params.filter((p) => p.in === 'query');
  const url = (badParam?: string, bad?: string, badQuery?: [string, string]) => {
    let u = op.path;
    for (const p of pathParams) {
      const value = p.name === badParam ? (bad as string) : (ids[p.name] ?? randomUUID());
      u = u.replace(`{${p.name}}`, encodeURIComponent(value));
    }
    const qs = new URLSearchParams();
    for (const q of query) if (q.required) qs.set(q.name, String(sample(q.schema, q.name)));
    if (badQuery) qs.set(badQuery[0], badQuery[1]);
    return qs.size ? `${u}?${qs}` : u;
  };
  const baseBody = op.body ? sample(op.body) : undefined;
  const choices: fc.Arbitrary<{ url: string; body?: unknown; where: string }>[] = [];
  const badText = fc.oneof(
    nulString,
    fc.constantFrom('not-a-uuid', '9'.repeat(30), '-1', 'ünïcode', 'x'.repeat(3000)),
  );
  for (const p of pathParams) {
    choices.push(
      badText.map((v) => ({
        url: url(p.name, v),
        body: baseBody,
        where: `path ${p.name}=${JSON.stringify(v)}`,
      })),
    );
  }
  for (const q of query) {
    const bad = badText.filter((v) => refusedInQuery(q.schema, v));
    choices.push(
      bad.map((v) => ({
        url: url(undefined, undefined, [q.name, v]),
        body: baseBody,
        where: `query ${q.name}=${JSON.stringify(v)}`,
      })),
    );
  }
  // A webhook's body is the sender's bytes, logged even when refused; its path and query are ours.
  if (op.body && !op.path.startsWith('/hooks/')) {
    for (const f of fieldsOf(op.body)) {
      choices.push(
        badFor(f.schema).map((bad) => ({
          url: url(),
          body: setAt(baseBody, f.path, bad),
          where: `body ${f.path.join('.') || '(whole)'}=${bad instanceof Deep ? `<${bad.levels} levels>` : JSON.stringify(bad)?.slice(0, 80)}`,
        })),
      );
    }
  }
  return fc.oneof(...choices);
}

/** A few per route keep `npm test` quick; BAD_INPUT_RUNS=100 digs deeper. */
const RUNS_PER_ROUTE = Number(process.env.BAD_INPUT_RUNS ?? 4);
const RUNS_PER_FRAME = RUNS_PER_ROUTE * 5;

describe('property: bad input to any route is a 4xx naming the field, and changes nothing', () => {
  it('covers every route with a params, query or body schema', () => {
    const ops = operations();
    // Guards the walk itself: if the document stopped listing routes, the property would pass vacuously.
    expect(ops.length).toBeGreaterThan(40);
    expect(ops.map((o) => `${o.method} ${o.path}`)).toContain('POST /api/auth/login');
  });

  it('every route, as a signed-in admin', async () => {
    const before = await state();
    for (const op of operations()) {
      await fc.assert(
        fc.asyncProperty(badRequest(op), async (req) => {
          const res = await send(op.method, req.url, req.body);
          const context = `${op.method} ${op.path} with ${req.where}: ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, context).toBeGreaterThanOrEqual(400);
          expect(res.status, context).toBeLessThan(500);
          expect(typeof res.body === 'object' && typeof res.body?.error === 'string', context).toBe(true);
          if (res.status === 400)
            expect(typeof (res.body as { field?: unknown }).field, context).toBe('string');
          expect(await state(), context).toEqual(before);
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  }, 600_000);
});

/**
 * Kept apart from the property above: the calendar check belongs to DateOnly in protocol/model.ts,
 * fixed on another branch. On this branch alone a start date of 2026-02-30 reaches PostgreSQL and
 * fails as a 500, so this test fails here until that fix is merged; after the merge it must pass.
 */
describe('property: an impossible calendar date is a 400 naming the field (needs the DateOnly fix)', () => {
  const isDate = (s: Schema) =>
    s.format === 'date' || s.description === 'YYYY-MM-DD' || Boolean(s.pattern?.includes('\\d{4}-'));

  it('every date field of every route, as a signed-in admin', async () => {
    const dated = operations().flatMap((op) =>
      op.body
        ? fieldsOf(op.body)
            .filter((f) => isDate(plain(f.schema)))
            .map((f) => ({ op, f }))
        : [],
    );
    expect(dated.length).toBeGreaterThan(0);
    const before = await state();
    for (const { op, f } of dated) {
      const impossible = fc.constantFrom(
        '2026-02-30',
        '2025-02-29',
        '2026-04-31',
        '2026-13-01',
        '2026-00-10',
      );
      await fc.assert(
        fc.asyncProperty(impossible, async (date) => {
          const url = op.path.replace(/\{(\w+)\}/g, (_m, p: string) => ids[p] ?? randomUUID());
          const res = await send(op.method, url, setAt(sample(op.body!), f.path, date));
          const context = `${op.method} ${op.path} with ${f.path.join('.')}=${date}: ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, context).toBe(400);
          expect((res.body as { field?: unknown }).field, context).toBe(f.path.join('.'));
          expect(await state(), context).toEqual(before);
        }),
        { numRuns: 5 },
      );
    }
  });
});

// ---- Socket frames -------------------------------------------------------------------------------

/** socket.io-client walks a frame recursively before sending it: a deep value stays within its stack. */
function materialise(value: unknown): unknown {
  if (value instanceof Deep) {
    let nested: unknown = 1;
    for (let i = 0; i < Math.min(value.levels, 1500); i++) nested = { a: nested };
    return nested;
  }
  if (Array.isArray(value)) return value.map(materialise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialise(v)]));
  }
  return value;
}

const FRAMES = [
  ['board:join', JoinFrame],
  ['card:move', MoveFrame],
  ['presence:drag', DragFrame],
] as const;

describe('property: a bad socket frame is acknowledged with an error naming the field, and changes nothing', () => {
  for (const [name, frameSchema] of FRAMES) {
    it(name, async () => {
      const schema = frameSchema as unknown as Schema;
      // The frame's own card, so a bad value in one field is all that is wrong with it.
      const base = { ...(sample(schema) as object), boardId: boardId() };
      if (schema.properties?.cardId) Object.assign(base, { cardId: ids.cardId });
      expect(Value.Check(frameSchema, base)).toBe(true);
      await socket.emitWithAck('board:join', { boardId: boardId() });
      const before = await state();
      const frames = fc.oneof(
        ...fieldsOf(schema).map((f) =>
          badFor(f.schema).map((bad) => ({
            frame: materialise(setAt(base, f.path, bad)),
            where: f.path.join('.'),
          })),
        ),
      );
      await fc.assert(
        fc.asyncProperty(frames, async ({ frame, where }) => {
          // Every frame is acknowledged, a refused one too (a missing ack fails here after 5 s).
          const untyped = socket.timeout(5000) as unknown as {
            emitWithAck(
              event: string,
              frame: unknown,
            ): Promise<{ ok: boolean; error?: unknown; field?: unknown }>;
          };
          const ack = await untyped.emitWithAck(name, frame);
          const context = `${name} with a bad ${where || 'frame'}: ${JSON.stringify(ack)}`;
          expect(ack.ok, context).toBe(false);
          expect(ack.error, context).toBe('VALIDATION_FAILED');
          expect(typeof ack.field, context).toBe('string');
          expect(await state(), context).toEqual(before);
        }),
        { numRuns: RUNS_PER_FRAME },
      );
    });
  }
});
