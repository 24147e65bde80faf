/**
 * The request portal against a real server and PostgreSQL: a requester files requests (a service
 * request card in the maintenance stream, assigned to whoever is on duty now), sees only their own
 * with the status the team's work gives them, talks with the team in comments and rates a resolved
 * request once, even when two ratings arrive at once. Bad input is a 400 naming the field.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Column, Snapshot } from '../protocol/model.ts';
import type { PortalChangedFrame, PortalRequest, PortalRequestDetail } from '../protocol/portal.ts';
import type { CardSla } from '../protocol/sla.ts';
import {
  ApiClient,
  eventually,
  MEMBER_PASSWORD,
  memberWithRole,
  requesterOn,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
let boardId: string;
let ada: ApiClient;
let carol: ApiClient;
let dave: ApiClient;
let columns: Column[];

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service desk')).id;
  ada = await memberWithRole(server, boardId, 'maintenance', 'ada');
  carol = await requesterOn(server, boardId, 'carol');
  dave = await requesterOn(server, boardId, 'dave');
  columns = (await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`))).columns;
});
afterAll(() => server.close());

const requests = () => `/api/portal/boards/${boardId}/requests`;
const column = (category: Column['category']) =>
  columns.find((c) => c.stream === 'maintenance' && c.category === category) as Column;
const moveTo = (req: PortalRequest, category: Column['category']) =>
  ada.ok(ada.post(`/api/boards/${boardId}/cards/${req.id}/move`, { columnId: column(category).id }));
const file = (who: ApiClient, title: string, requestType = 'change') =>
  who.ok(who.post<PortalRequest>(requests(), { requestType, title, description: 'Please' }));

describe('filing a request', () => {
  it('makes a service request card in the maintenance stream, assigned to whoever is on duty now', async () => {
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/oncall/rotas`, {
        name: 'AMS',
        duty: 'ams',
        rotation: false,
        members: [ada.userId],
        pattern: { kind: 'weekly', zone: 'UTC', handoffWeekday: 1, handoffTime: '09:00' },
        startDate: '2026-01-05',
      }),
    );
    const res = await carol.post<PortalRequest>(requests(), {
      requestType: 'feature',
      title: '  Export invoices as CSV ',
      description: 'Monthly, for accounting',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      requestType: 'feature',
      title: 'Export invoices as CSV',
      status: 'open',
    });
    const card = await server.admin.ok(server.admin.get<Card>(`/api/boards/${boardId}/cards/${res.body.id}`));
    expect(card).toMatchObject({ type: 'service_request', stream: 'maintenance', assigneeId: ada.userId });
    const { rows } = await sql<{ type: string; actor_id: string }>`
      select type, actor_id from board_events where card_id = ${card.id} and type like 'card.%'`.execute(
      server.db,
    );
    expect(rows).toEqual([{ type: 'card.created', actor_id: carol.userId }]);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ requestType: 'wish', title: 'x', description: '' }, 'requestType'],
      [{ requestType: 'change', title: '   ', description: '' }, 'title'],
      [{ requestType: 'change', title: 'x'.repeat(301), description: '' }, 'title'],
      [{ requestType: 'change', description: '' }, 'title'],
      [{ requestType: 'change', title: 'x', description: 5 }, 'description'],
      [{ requestType: 'change', title: 'x', description: '', type: 'incident' }, 'type'],
    ];
    for (const [body, field] of cases) {
      const res = await carol.post<{ field: string }>(requests(), body);
      expect([res.status, res.body.field], JSON.stringify(body)).toEqual([400, field]);
    }
  });
});

describe('seeing only your own', () => {
  it("lists only the requester's own requests; another's is a 404 everywhere", async () => {
    const mine = await file(dave, 'Reset my password');
    const list = await dave.ok(dave.get<PortalRequest[]>(requests()));
    expect(list.map((r) => r.id)).toEqual([mine.id]);
    const carols = (await carol.ok(carol.get<PortalRequest[]>(requests()))).map((r) => r.id);
    expect(carols).not.toContain(mine.id);

    const theirs = `${requests()}/${carols[0]}`;
    expect((await dave.get(theirs)).status).toBe(404);
    expect((await dave.post(`${theirs}/comments`, { body: 'hi' })).status).toBe(404);
    expect((await dave.post(`${theirs}/rating`, { rating: 5 })).status).toBe(404);
    // a team card that is no request at all
    const teamCard = await server.admin.createCard(boardId, { title: 'Internal' });
    expect((await dave.get(`${requests()}/${teamCard.id}`)).status).toBe(404);
  });

  it("is a 404 on a board whose portal one may not use, and a board member's not a requester", async () => {
    const other = (await server.admin.createBoard('Elsewhere')).id;
    expect((await carol.get(`/api/portal/boards/${other}/requests`)).status).toBe(404);
    expect(
      (
        await carol.post(`/api/portal/boards/${other}/requests`, {
          requestType: 'change',
          title: 'x',
          description: '',
        })
      ).status,
    ).toBe(404);
    expect((await ada.get(requests())).status).toBe(404);
    expect((await carol.ok(carol.get<{ id: string }[]>('/api/portal/boards'))).map((b) => b.id)).toEqual([
      boardId,
    ]);
  });

  it('cannot open the board, its cards or its events', async () => {
    for (const path of [
      `/api/boards/${boardId}`,
      `/api/boards/${boardId}/cards`,
      `/api/boards/${boardId}/events?after=0`,
    ])
      expect((await carol.get(path)).status).toBe(404);
    expect((await carol.get<{ id: string }[]>('/api/boards')).body).toEqual([]);
  });
});

describe('status as the team works', () => {
  it('follows the card: open, in progress, waiting for you, resolved, closed', async () => {
    const req = await file(carol, 'Add a VAT field');
    const status = async () =>
      (await carol.ok(carol.get<PortalRequestDetail>(`${requests()}/${req.id}`))).request.status;
    expect(await status()).toBe('open');
    await moveTo(req, 'in_progress');
    expect(await status()).toBe('in_progress');
    await ada.ok(ada.patch(`/api/boards/${boardId}/cards/${req.id}/sla`, { waiting: 'customer' }));
    expect(await status()).toBe('waiting_for_you');
    await ada.ok(ada.patch(`/api/boards/${boardId}/cards/${req.id}/sla`, { waiting: null }));
    await moveTo(req, 'done');
    expect(await status()).toBe('resolved');
    await carol.ok(carol.post(`${requests()}/${req.id}/rating`, { rating: 4 }));
    expect(await status()).toBe('closed');
    // the team reads who asked, and the rating, on the card (any role that reads the board)
    const viewer = await memberWithRole(server, boardId, 'viewer', 'viewer');
    const onCard = await viewer.ok(
      viewer.get<{ requester: { userId: string }; status: string; rating: { rating: number } }>(
        `/api/boards/${boardId}/cards/${req.id}/request`,
      ),
    );
    expect(onCard).toMatchObject({
      requester: { userId: carol.userId },
      status: 'closed',
      rating: { rating: 4 },
    });
    const plain = await server.admin.createCard(boardId, { title: 'Not a request' });
    expect((await viewer.get(`/api/boards/${boardId}/cards/${plain.id}/request`)).status).toBe(404);
  });

  it("tells the requester's own sockets, and no one else's, when their request changes", async () => {
    const req = await file(carol, 'Live please');
    const carolSocket = await socketFor(server, carol);
    const daveSocket = await socketFor(server, dave);
    const carolSaw: PortalChangedFrame[] = [];
    const daveSaw: PortalChangedFrame[] = [];
    carolSocket.on('portal:changed', (f) => carolSaw.push(f));
    daveSocket.on('portal:changed', (f) => daveSaw.push(f));
    try {
      await moveTo(req, 'in_progress');
      await eventually(() => carolSaw.length > 0);
      expect(carolSaw[0]).toEqual({ boardId, requestId: req.id });
      expect(daveSaw).toEqual([]);
    } finally {
      carolSocket.close();
      daveSocket.close();
    }
  });
});

describe('comments', () => {
  it("puts the requester's comment on the card and shows the team's replies", async () => {
    const req = await file(carol, 'Question about invoices', 'information');
    const posted = await carol.post(`${requests()}/${req.id}/comments`, { body: 'Any news?' });
    expect(posted.status).toBe(201);
    await ada.ok(ada.post(`/api/boards/${boardId}/cards/${req.id}/comments`, { body: 'Working on it' }));
    const detail = await carol.ok(carol.get<PortalRequestDetail>(`${requests()}/${req.id}`));
    expect(detail.comments.map((c) => [c.body, c.mine])).toEqual([
      ['Any news?', true],
      ['Working on it', false],
    ]);
    const blank = await carol.post<{ field: string }>(`${requests()}/${req.id}/comments`, { body: '  ' });
    expect([blank.status, blank.body.field]).toEqual([400, 'body']);
  });

  it('keeps internal notes from the requester, in the portal and its live frames', async () => {
    const req = await file(carol, 'Reset my token');
    const note = await ada.ok(
      ada.post<{ internal: boolean }>(`/api/boards/${boardId}/cards/${req.id}/comments`, {
        body: 'Customer is on the legacy tenant',
        internal: true,
      }),
    );
    expect(note.internal).toBe(true);
    const carolSocket = await socketFor(server, carol);
    const frames: PortalChangedFrame[] = [];
    carolSocket.on('portal:changed', (f) => frames.push(f));
    try {
      // Frames for what happened before (the filing's SLA clock) may still be on their way on a busy
      // machine: wait until none has come for half a second, then count from there.
      await server.app.services.sla.idle();
      for (let seen = -1; seen !== frames.length; ) {
        seen = frames.length;
        await new Promise((r) => setTimeout(r, 500));
      }
      frames.length = 0;
      await ada.ok(
        ada.post(`/api/boards/${boardId}/cards/${req.id}/comments`, {
          body: 'Still internal',
          internal: true,
        }),
      );
      await server.app.services.sla.idle();
      await new Promise((r) => setTimeout(r, 300));
      // a note does not even tell the requester that something happened
      expect(frames).toEqual([]);
      await ada.ok(ada.post(`/api/boards/${boardId}/cards/${req.id}/comments`, { body: 'Done for you' }));
      await eventually(() => frames.length > 0);
    } finally {
      carolSocket.close();
    }
    const detail = await carol.ok(carol.get<PortalRequestDetail>(`${requests()}/${req.id}`));
    expect(detail.comments.map((c) => c.body)).toEqual(['Done for you']);
    // the team sees all three, the notes marked
    const all = await ada.ok(
      ada.get<{ body: string; internal: boolean }[]>(`/api/boards/${boardId}/cards/${req.id}/comments`),
    );
    expect(all.map((c) => [c.body, c.internal])).toEqual([
      ['Customer is on the legacy tenant', true],
      ['Still internal', true],
      ['Done for you', false],
    ]);
  });

  it("stops the response clock on the team's public reply, not on the requester's comment or a note", async () => {
    const req = await file(carol, 'When is the next invoice run?', 'information');
    const sla = () => ada.ok(ada.get<CardSla>(`/api/boards/${boardId}/cards/${req.id}/sla`));
    await carol.ok(carol.post(`${requests()}/${req.id}/comments`, { body: 'Hello? Anyone?' }));
    await ada.ok(
      ada.post(`/api/boards/${boardId}/cards/${req.id}/comments`, { body: 'Ask finance', internal: true }),
    );
    await server.app.services.sla.idle();
    expect((await sla()).response.metAt).toBeNull();
    await ada.ok(ada.post(`/api/boards/${boardId}/cards/${req.id}/comments`, { body: 'Next Tuesday' }));
    await server.app.services.sla.idle();
    expect((await sla()).response.metAt).not.toBeNull();
  });
});

describe('rating', () => {
  it('is refused until the request is resolved, and after it was rated', async () => {
    const req = await file(carol, 'Rate me');
    const early = await carol.post<{ error: string; field: string }>(`${requests()}/${req.id}/rating`, {
      rating: 5,
    });
    expect([early.status, early.body.field]).toEqual([409, 'rating']);
    await moveTo(req, 'done');
    for (const [body, field] of [
      [{ rating: 0 }, 'rating'],
      [{ rating: 6 }, 'rating'],
      [{ rating: 2.5 }, 'rating'],
      [{ rating: 3, comment: 'x'.repeat(2001) }, 'comment'],
    ] as const) {
      const res = await carol.post<{ field: string }>(`${requests()}/${req.id}/rating`, body);
      expect([res.status, res.body.field], JSON.stringify(body)).toEqual([400, field]);
    }
    const rated = await carol.post<PortalRequest>(`${requests()}/${req.id}/rating`, {
      rating: 5,
      comment: 'Quick!',
    });
    expect(rated.status).toBe(201);
    expect(rated.body).toMatchObject({ status: 'closed', rating: { rating: 5, comment: 'Quick!' } });
    const again = await carol.post(`${requests()}/${req.id}/rating`, { rating: 1 });
    expect(again.status).toBe(409);
  });

  it('stores one rating when two arrive at once', async () => {
    const req = await file(carol, 'Race');
    await moveTo(req, 'done');
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((rating) => carol.post(`${requests()}/${req.id}/rating`, { rating })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from request_ratings where card_id = ${req.id}`.execute(server.db);
    expect(rows[0]?.n).toBe(1);
  });
});

describe("the team's side: who may use the portal", () => {
  it('board admins and product owners add and remove requesters; others may not', async () => {
    const po = await memberWithRole(server, boardId, 'product_owner', 'po');
    const email = `erin-${randomBytes(3).toString('hex')}@customer.example`;
    await server.admin.ok(
      server.admin.post('/api/users', { email, name: 'Erin', password: MEMBER_PASSWORD }),
    );
    expect((await ada.put(`/api/boards/${boardId}/requesters`, { email })).status).toBe(403);
    expect((await carol.put(`/api/boards/${boardId}/requesters`, { email })).status).toBe(404);
    const added = await po.put<{ userId: string }>(`/api/boards/${boardId}/requesters`, { email });
    expect(added.status).toBe(200);
    const unknown = await po.put<{ field: string }>(`/api/boards/${boardId}/requesters`, {
      email: 'nobody@x.example',
    });
    expect([unknown.status, unknown.body.field]).toEqual([400, 'email']);
    const list = await po.ok(po.get<{ email: string }[]>(`/api/boards/${boardId}/requesters`));
    expect(list.map((r) => r.email)).toContain(email);
    expect((await ada.get(`/api/boards/${boardId}/requesters`)).status).toBe(403);
    expect((await po.delete(`/api/boards/${boardId}/requesters/${added.body.userId}`)).status).toBe(204);
    const erin = await ApiClient.login(server.baseUrl, email, MEMBER_PASSWORD);
    expect((await erin.get(requests())).status).toBe(404);
  });
});
