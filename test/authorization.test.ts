/** Every role against every write, over HTTP and over the socket. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Role } from '../protocol/model.ts';
import type { MoveAck } from '../protocol/socket.ts';
import { type ApiClient, memberWithRole, socketFor, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Access')).id;
  for (const role of ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const) {
    clients[role] = await memberWithRole(server, boardId, role);
  }
  const other = (await server.admin.createBoard('Elsewhere')).id;
  outsider = await memberWithRole(server, other, 'developer', 'outsider');
});
afterAll(() => server.close());

type Write = (c: ApiClient, card: Card) => Promise<{ status: number }>;
const writes: Record<string, { run: Write; allowed: Role[] }> = {
  'create a card': {
    run: (c) => c.post(`/api/boards/${boardId}/cards`, { title: 'new', type: 'story' }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'edit a card': {
    run: (c, card) =>
      c.patch(`/api/boards/${boardId}/cards/${card.id}`, { version: card.version, title: 'edited' }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  're-rank a card': {
    run: (c, card) => c.post(`/api/boards/${boardId}/cards/${card.id}/move`, { beforeId: anchorId }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'hand a card to the other stream': {
    run: (c, card) => c.post(`/api/boards/${boardId}/cards/${card.id}/move`, { stream: 'maintenance' }),
    allowed: ['admin', 'product_owner'],
  },
  'comment on a card': {
    run: (c, card) => c.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body: 'hi' }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  'write an internal note on a card': {
    run: (c, card) =>
      c.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body: 'team only', internal: true }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance'],
  },
  // Watching changes only one's own inbox, so anyone who may read the board may watch its cards.
  'watch a card': {
    run: (c, card) => c.put(`/api/boards/${boardId}/cards/${card.id}/watch`, { watching: true }),
    allowed: ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'],
  },
  'delete a card': {
    run: (c, card) => c.delete(`/api/boards/${boardId}/cards/${card.id}`),
    allowed: ['admin', 'product_owner'],
  },
  'add a member': {
    run: (c) => c.put(`/api/boards/${boardId}/members`, { email: 'admin@example.com', role: 'admin' }),
    allowed: ['admin'],
  },
  'take a member off the board': {
    run: async (c) => {
      const member = await memberWithRole(server, boardId, 'viewer', 'removable');
      return c.delete(`/api/boards/${boardId}/members/${member.userId}`);
    },
    allowed: ['admin'],
  },
  "let someone use the board's request portal": {
    run: (c) => c.put(`/api/boards/${boardId}/requesters`, { email: 'admin@example.com' }),
    allowed: ['admin', 'product_owner'],
  },
};
let anchorId: string;

describe('each role against each write', () => {
  beforeAll(async () => {
    anchorId = (await server.admin.createCard(boardId, { title: 'anchor', position: 'top' })).id;
  });

  for (const [write, { run, allowed }] of Object.entries(writes)) {
    for (const role of ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const) {
      const ok = allowed.includes(role);
      it(`${role} ${ok ? 'may' : 'may not'} ${write}`, async () => {
        const card = await server.admin.createCard(boardId, { title: `${role} target` });
        const res = await run(clients[role], card);
        if (ok) {
          expect(res.status).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          const now = await server.admin.get<Card>(`/api/boards/${boardId}/cards/${card.id}`);
          expect(now.body).toMatchObject({ version: card.version, title: card.title, stream: card.stream });
        }
      });
    }
  }

  it('a non-member sees the board as not found and cannot write to it', async () => {
    const card = await server.admin.createCard(boardId, { title: 'private' });
    expect((await outsider.get(`/api/boards/${boardId}`)).status).toBe(404);
    expect(
      (await outsider.patch(`/api/boards/${boardId}/cards/${card.id}`, { version: 1, title: 'x' })).status,
    ).toBe(404);
    for (const path of [`/first-screen?view=backlog`, `/cards/${card.id}/watch`])
      expect((await outsider.get(`/api/boards/${boardId}${path}`)).status).toBe(404);
    expect(
      (await outsider.put(`/api/boards/${boardId}/cards/${card.id}/watch`, { watching: true })).status,
    ).toBe(404);
    const boards = await outsider.ok(outsider.get<{ id: string }[]>('/api/boards'));
    expect(boards.map((b) => b.id)).not.toContain(boardId);
  });
});

describe('socket events are authorised like HTTP', () => {
  it("a viewer's socket can watch the board but cannot move a card", async () => {
    const card = await server.admin.createCard(boardId, { title: 'socket target', position: 'top' });
    const socket = await socketFor(server, clients.viewer);
    try {
      const join = await socket.emitWithAck('board:join', { boardId });
      expect(join.ok).toBe(true);
      const ack: MoveAck = await socket.emitWithAck('card:move', {
        boardId,
        cardId: card.id,
        afterId: anchorId,
      });
      expect(ack).toMatchObject({ ok: false, error: 'FORBIDDEN' });
      const now = await server.admin.ok(server.admin.get<Card>(`/api/boards/${boardId}/cards/${card.id}`));
      expect(now.rank).toBe(card.rank);
    } finally {
      socket.close();
    }
  });

  it("an outsider's socket cannot join the board", async () => {
    const socket = await socketFor(server, outsider);
    try {
      expect(await socket.emitWithAck('board:join', { boardId })).toMatchObject({
        ok: false,
        error: 'NOT_FOUND',
      });
    } finally {
      socket.close();
    }
  });

  it('a socket without a session is refused at the handshake', async () => {
    const { io } = await import('socket.io-client');
    const socket = io(server.baseUrl, { transports: ['websocket'], reconnection: false, forceNew: true });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(err.message).toMatch(/UNAUTHENTICATED/);
    socket.close();
  });

  it('a malformed socket frame gets a validation error naming the field', async () => {
    const socket = await socketFor(server, clients.developer);
    try {
      const ack = await socket.emitWithAck('card:move', { boardId, cardId: 'nope' } as never);
      expect(ack).toMatchObject({ ok: false, error: 'VALIDATION_FAILED', field: 'cardId' });
    } finally {
      socket.close();
    }
  });
});
