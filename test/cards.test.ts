/** The ranked backlog: create, edit with versions, re-rank, delete, comments, history, bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card } from '../protocol/model.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Checkout')).id;
});
afterAll(() => server.close());

const titles = async (id = boardId) => (await server.admin.cards(id)).map((c) => c.title);

describe('the backlog', () => {
  it('lists new cards at the bottom, or at the top when asked, with human keys', async () => {
    const b = (await server.admin.createBoard('Order Service')).id;
    const first = await server.admin.createCard(b, { title: 'First' });
    await server.admin.createCard(b, { title: 'Second' });
    await server.admin.createCard(b, { title: 'Urgent', position: 'top' });
    expect(await titles(b)).toEqual(['Urgent', 'First', 'Second']);
    expect(first.key).toBe('OS-1');
    expect(first).toMatchObject({
      type: 'story',
      stream: 'development',
      priority: 'medium',
      version: 1,
      columnId: null,
    });
  });

  it('re-ranks by naming the new neighbours, writing only the moved card', async () => {
    const b = (await server.admin.createBoard('Rerank')).id;
    const cards: Record<string, Card> = {};
    for (const t of ['A', 'B', 'C', 'D']) cards[t] = await server.admin.createCard(b, { title: t });
    const before = new Map((await server.admin.cards(b)).map((x) => [x.id, x.rank]));

    const moved = await server.admin.post<{ card: Card }>(`/api/boards/${b}/cards/${cards.D!.id}/move`, {
      afterId: cards.A!.id,
    });
    expect(moved.status).toBe(200);
    const after = await server.admin.cards(b);
    expect(after.map((x) => x.title)).toEqual(['A', 'D', 'B', 'C']);
    expect(after.filter((x) => before.get(x.id) !== x.rank).map((x) => x.title)).toEqual(['D']);

    await server.admin.ok(
      server.admin.post(`/api/boards/${b}/cards/${cards.C!.id}/move`, { beforeId: cards.A!.id }),
    );
    expect(await titles(b)).toEqual(['C', 'A', 'D', 'B']);
  });

  it('edits with the version the edit was made on, recording who changed what', async () => {
    const card = await server.admin.createCard(boardId, {
      title: 'Fix refund rounding',
      type: 'defect_manual',
    });
    const res = await server.admin.patch<Card>(`/api/boards/${boardId}/cards/${card.id}`, {
      version: card.version,
      title: 'Fix refund rounding in EUR',
      estimate: 3,
      labels: ['payments'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      title: 'Fix refund rounding in EUR',
      estimate: 3,
      labels: ['payments'],
      version: 2,
    });

    const history = await server.admin.ok(
      server.admin.get<BoardEvent[]>(`/api/boards/${boardId}/cards/${card.id}/history`),
    );
    expect(history.map((e) => e.type)).toEqual(['card.updated', 'card.created']);
    expect(history[0]!.actor.label).toBe('admin');
    expect(history[0]!.type === 'card.updated' && history[0]!.payload.changes).toEqual([
      { field: 'title', from: 'Fix refund rounding', to: 'Fix refund rounding in EUR' },
      { field: 'estimate', from: null, to: 3 },
      { field: 'labels', from: [], to: ['payments'] },
    ]);
  });

  it('refuses a stale edit with 409 and the current card, and keeps the other person’s change', async () => {
    const card = await server.admin.createCard(boardId, { title: 'Original' });
    await server.admin.ok(
      server.admin.patch(`/api/boards/${boardId}/cards/${card.id}`, { version: 1, title: 'Alice’s title' }),
    );
    const stale = await server.admin.patch<{ error: string; card: Card }>(
      `/api/boards/${boardId}/cards/${card.id}`,
      {
        version: 1,
        title: 'Bob’s title',
      },
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('STALE_VERSION');
    expect(stale.body.card).toMatchObject({ title: 'Alice’s title', version: 2 });
    const now = await server.admin.ok(server.admin.get<Card>(`/api/boards/${boardId}/cards/${card.id}`));
    expect(now.title).toBe('Alice’s title');
  });

  it('deletes a card; its history stays readable in the board log', async () => {
    const card = await server.admin.createCard(boardId, { title: 'Obsolete' });
    expect((await server.admin.delete(`/api/boards/${boardId}/cards/${card.id}`)).status).toBe(204);
    expect((await server.admin.get(`/api/boards/${boardId}/cards/${card.id}`)).status).toBe(404);
    expect(await titles()).not.toContain('Obsolete');
    const events = await server.admin.ok(
      server.admin.get<BoardEvent[]>(`/api/boards/${boardId}/events?after=0`),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'card.deleted',
      cardId: card.id,
      payload: { title: 'Obsolete' },
    });
  });

  it('keeps comments in order', async () => {
    const card = await server.admin.createCard(boardId, { title: 'Discuss' });
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body: 'first' }),
    );
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body: 'second' }),
    );
    const list = await server.admin.ok(
      server.admin.get<{ body: string; author: string }[]>(
        `/api/boards/${boardId}/cards/${card.id}/comments`,
      ),
    );
    expect(list.map((c) => c.body)).toEqual(['first', 'second']);
    expect(list[0]!.author).toBe('admin');
  });

  it('numbers every accepted change with the next board sequence number', async () => {
    const b = (await server.admin.createBoard('Seq')).id;
    const c = await server.admin.createCard(b, { title: 'one' });
    await server.admin.createCard(b, { title: 'two' });
    await server.admin.ok(
      server.admin.patch(`/api/boards/${b}/cards/${c.id}`, { version: 1, priority: 'high' }),
    );
    const events = await server.admin.ok(server.admin.get<BoardEvent[]>(`/api/boards/${b}/events?after=0`));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    const snap = await server.admin.ok(server.admin.get<{ seq: number }>(`/api/boards/${b}`));
    expect(snap.seq).toBe(3);
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  const cases: [string, unknown, string][] = [
    ['missing title', { type: 'story' }, 'title'],
    ['blank title', { title: '', type: 'story' }, 'title'],
    ['title of the wrong type', { title: 42, type: 'story' }, 'title'],
    ['unknown type', { title: 'x', type: 'epic' }, 'type'],
    ['negative estimate', { title: 'x', type: 'story', estimate: -1 }, 'estimate'],
    ['unknown field', { title: 'x', type: 'story', colour: 'red' }, 'colour'],
    ['title too long', { title: 'x'.repeat(301), type: 'story' }, 'title'],
  ];
  for (const [name, body, field] of cases) {
    it(`create card with ${name} → 400 naming ${field}`, async () => {
      const before = await titles();
      const res = await server.admin.post<{ error: string; field: string; message: string }>(
        `/api/boards/${boardId}/cards`,
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', field });
      expect(res.body.message).toContain(field);
      expect(await titles()).toEqual(before);
    });
  }

  it('an edit without a version → 400 naming version', async () => {
    const card = await server.admin.createCard(boardId, { title: 'Versioned' });
    const res = await server.admin.patch(`/api/boards/${boardId}/cards/${card.id}`, { title: 'no version' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'version' });
  });

  it('a move next to a card of another board → 400 naming afterId', async () => {
    const other = (await server.admin.createBoard('Other')).id;
    const foreign = await server.admin.createCard(other, { title: 'foreign' });
    const card = await server.admin.createCard(boardId, { title: 'Mover' });
    const res = await server.admin.post(`/api/boards/${boardId}/cards/${card.id}/move`, {
      afterId: foreign.id,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'afterId' });
  });

  it('a malformed id in the path → 400; an unknown card → 404 JSON', async () => {
    expect((await server.admin.get(`/api/boards/${boardId}/cards/not-a-uuid`)).status).toBe(400);
    const missing = await server.admin.get(
      `/api/boards/${boardId}/cards/00000000-0000-4000-8000-000000000000`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('invalid JSON → 400 JSON error', async () => {
    const res = await server.admin.request('POST', `/api/boards/${boardId}/cards`, '{"title": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('a body over the documented limit → 413 and nothing created', async () => {
    const small = await startServer({ BODY_LIMIT_BYTES: '2048' });
    try {
      const b = (await small.admin.createBoard('Small')).id;
      const res = await small.admin.post(`/api/boards/${b}/cards`, {
        title: 'big',
        type: 'story',
        description: 'x'.repeat(5000),
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
      expect(await small.admin.cards(b)).toHaveLength(0);
    } finally {
      await small.close();
    }
  });
});

describe('the board snapshot', () => {
  it('serialises cards in PostgreSQL exactly as the API shapes them everywhere else', async () => {
    const b = (await server.admin.createBoard('Shapes')).id;
    const plain = await server.admin.createCard(b, { title: 'Plain' });
    // A problem, not an incident: an incident's SLA clock would add events of its own after each change.
    const rich = await server.admin.createCard(b, {
      title: 'Rich',
      type: 'problem',
      stream: 'maintenance',
      estimate: 2.5,
      labels: ['a', 'b'],
      dueDate: '2026-12-24',
      priority: 'critical',
      classOfService: 'expedite',
      description: 'quotes " and \\\\ and ünïcode',
    });
    await server.admin.ok(
      server.admin.patch(`/api/boards/${b}/cards/${rich.id}`, {
        version: 1,
        blocked: true,
        blockedReason: 'vendor',
      }),
    );
    const columns = (
      await server.admin.ok(
        server.admin.get<{ columns: { id: string; stream: string; category: string }[] }>(`/api/boards/${b}`),
      )
    ).columns;
    const done = columns.find((c) => c.stream === 'maintenance' && c.category === 'done')!;
    await server.admin.ok(server.admin.post(`/api/boards/${b}/cards/${rich.id}/move`, { columnId: done.id }));
    const snap = await server.admin.get<{ cards: Card[]; seq: number; columns: unknown[] }>(
      `/api/boards/${b}`,
    );
    expect(snap.status).toBe(200);
    expect(snap.headers.get('content-type')).toMatch(/application\/json/);
    const one = await Promise.all(
      [plain, rich].map((c) => server.admin.ok(server.admin.get<Card>(`/api/boards/${b}/cards/${c.id}`))),
    );
    expect(snap.body.cards).toEqual(one);
    expect(snap.body.cards[1]).toMatchObject({ startedAt: expect.any(String), doneAt: expect.any(String) });
    expect(snap.body.seq).toBe(4);
    expect(snap.body.columns).toHaveLength(8);
  });
});
