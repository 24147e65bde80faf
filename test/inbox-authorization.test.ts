/**
 * A person reaches only their own inbox: another's notification is a 404 to read or mark, never in
 * their list or count; a notification about a board they were taken off is hidden until they are
 * back; a card's watch toggle is a 404 off the board; nothing is reachable signed out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxNotification, InboxPage } from '../protocol/inbox.ts';
import type { Card } from '../protocol/model.ts';
import {
  ApiClient,
  type ApiClient as Client,
  eventually,
  memberWithRole,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
let boardId: string;
let ann: Client;
let bob: Client;
let cat: Client;
let card: Card;
let bobs: InboxNotification;

const page = (who: Client) => who.ok(who.get<InboxPage>('/api/inbox'));

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Private')).id;
  ann = await memberWithRole(server, boardId, 'developer', 'ann');
  bob = await memberWithRole(server, boardId, 'developer', 'bob');
  cat = await memberWithRole(server, boardId, 'developer', 'cat');
  card = await ann.createCard(boardId, { title: 'For Bob only', assigneeId: bob.userId });
  bobs = await eventually(async () => (await page(bob)).items[0]);
});
afterAll(async () => {
  await server?.close();
});

describe("another person's notifications", () => {
  it('are not in their list or count, and cannot be marked read by them', async () => {
    expect((await page(cat)).items).toEqual([]);
    expect(await cat.ok(cat.get('/api/inbox/unread'))).toEqual({ unread: 0 });
    const res = await cat.post(`/api/inbox/${bobs.id}/read`);
    expect(res.status).toBe(404);
    expect((await page(bob)).items.find((n) => n.id === bobs.id)?.read).toBe(false);
    // marking all of one's own read leaves the others' alone
    await cat.ok(cat.post('/api/inbox/read'));
    expect((await page(bob)).unread).toBe(1);
  });

  it('are not reachable through a token of someone else, nor signed out', async () => {
    const anon = new ApiClient(server.baseUrl);
    for (const [method, path] of [
      ['GET', '/api/inbox'],
      ['GET', '/api/inbox/unread'],
      ['POST', '/api/inbox/read'],
      ['POST', `/api/inbox/${bobs.id}/read`],
      ['GET', `/api/boards/${boardId}/cards/${card.id}/watch`],
    ] as const) {
      expect((await anon.request(method, path, method === 'POST' ? {} : undefined)).status, path).toBe(401);
    }
    const token = await ann.ok(ann.post<{ token: string }>('/api/tokens', { name: 'ann' }));
    const annByToken = ann.withToken(token.token);
    expect((await annByToken.post(`/api/inbox/${bobs.id}/read`)).status).toBe(404);
    expect((await page(annByToken)).items.map((n) => n.id)).not.toContain(bobs.id);
  });
});

describe('a board one was taken off', () => {
  it("hides its notifications and refuses its cards' watch toggle, until one is back", async () => {
    await server.admin.ok(server.admin.delete(`/api/boards/${boardId}/members/${bob.userId}`));
    expect(await page(bob)).toMatchObject({ items: [], unread: 0 });
    expect(await bob.ok(bob.get('/api/inbox/unread'))).toEqual({ unread: 0 });
    const watch = `/api/boards/${boardId}/cards/${card.id}/watch`;
    expect((await bob.get(watch)).status).toBe(404);
    expect((await bob.put(watch, { watching: true })).status).toBe(404);
    expect((await bob.post(`/api/inbox/${bobs.id}/read`)).status).toBe(200);

    // a change on the board while Bob is off it tells him nothing
    await ann.ok(ann.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body: 'while Bob is away' }));
    await eventually(async () => {
      const c = await server.db
        .selectFrom('inbox_cursors')
        .select('seq')
        .where('board_id', '=', boardId)
        .executeTakeFirst();
      const b = await server.db
        .selectFrom('boards')
        .select('seq')
        .where('id', '=', boardId)
        .executeTakeFirstOrThrow();
      return c && Number(c.seq) === Number(b.seq);
    });
    const rows = await server.db
      .selectFrom('inbox_notifications')
      .select('kind')
      .where('user_id', '=', bob.userId!)
      .execute();
    expect(rows).toEqual([{ kind: 'assigned' }]);

    const email = (
      await server.db
        .selectFrom('users')
        .select('email')
        .where('id', '=', bob.userId!)
        .executeTakeFirstOrThrow()
    ).email;
    await server.admin.ok(server.admin.put(`/api/boards/${boardId}/members`, { email, role: 'developer' }));
    expect((await page(bob)).items.map((n) => n.id)).toEqual([bobs.id]);
  });
});
