/**
 * Bad input never makes a server error: every route and every socket frame answers it with a 4xx
 * JSON error naming the field, and changes nothing (no board's sequence moves, no table gains or
 * loses a row). First the inputs once seen as 500s, then a property test (fast-check) that walks the
 * OpenAPI document, so a route added tomorrow is covered without touching this file.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, Snapshot, Sprint } from '../protocol/model.ts';
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
  Object.assign(ids, {
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
