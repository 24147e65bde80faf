/**
 * Losing a right ends it on open sockets too. A watcher who keeps their rights stays on the board
 * beside a second client who loses theirs: by signing out, by a revoked API token, by being taken
 * off the board or by a role lowered to viewer. Within a second the second client gets no more of
 * the board's events and its frames are refused, while the watcher goes on as before; also when
 * the right is taken away through another server instance than the one holding the socket.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card } from '../protocol/model.ts';
import type { MoveAck, PresenceUser } from '../protocol/socket.ts';
import { sha256 } from '../server/auth/repo.ts';
import { SESSION_COOKIE } from '../server/infra/http.ts';
import {
  applyPresence,
  noPresence,
  type PresenceState,
  presenceUsers,
} from '../web/src/lib/board/presence.ts';
import {
  ApiClient,
  type ClientSocket,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

/** The bound: a lost right is gone from open sockets within a second. */
const WITHIN_MS = 1000;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Watching {
  socket: ClientSocket;
  events: BoardEvent[];
  /** who the watcher's screen shows on the board after each presence frame (the web app's reducer) */
  presence: PresenceUser[][];
  disconnected: string | null;
}

/** Joins the board and records everything the socket is sent. */
async function watch(socket: ClientSocket, ...boardIds: string[]): Promise<Watching> {
  const w: Watching = { socket, events: [], presence: [], disconnected: null };
  socket.on('board:events', (batch) => w.events.push(...batch));
  const states = new Map<string, PresenceState>();
  socket.on('presence', (frame) => {
    const state = applyPresence(states.get(frame.boardId) ?? noPresence, frame, frame.boardId);
    states.set(frame.boardId, state);
    w.presence.push(presenceUsers(state));
  });
  socket.on('disconnect', (reason) => {
    w.disconnected = reason;
  });
  for (const boardId of boardIds) {
    const ack = await socket.emitWithAck('board:join', { boardId });
    if (!ack.ok) throw new Error(`join failed: ${ack.message}`);
  }
  return w;
}

/** What a new connection with the same credential gets: the reason it was refused. */
async function refusedConnection(connect: () => Promise<ClientSocket>): Promise<string> {
  try {
    (await connect()).close();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

async function boardWithCards(name: string) {
  const boardId = (await server.admin.createBoard(name)).id;
  const first = await server.admin.createCard(boardId, { title: 'first' });
  const second = await server.admin.createCard(boardId, { title: 'second' });
  return { boardId, first, second };
}

/** An event the admin causes on the board; resolves once the watcher has it. */
async function changeSeenBy(watcher: Watching, boardId: string, title: string): Promise<Card> {
  const card = await server.admin.createCard(boardId, { title });
  await eventually(() => watcher.events.some((e) => e.cardId === card.id));
  return card;
}

const seenCard = (w: Watching, card: Card) => w.events.some((e) => e.cardId === card.id);

/** Whether the watcher's latest presence frame shows the user on the board. */
const shownOnBoard = (w: Watching, userId: string | null) =>
  w.presence.at(-1)?.some((u) => u.userId === userId) ?? false;

/** Gives an existing account a role on another board too. */
async function alsoMemberOf(boardId: string, client: ApiClient): Promise<void> {
  const { user } = await client.ok(client.get<{ user: { email: string } }>('/api/auth/session'));
  await server.admin.ok(
    server.admin.put(`/api/boards/${boardId}/members`, { email: user.email, role: 'developer' }),
  );
}

describe('a socket loses exactly the rights its user lost', () => {
  it('signing out disconnects that session’s sockets; the watcher keeps receiving', async () => {
    const { boardId } = await boardWithCards('Sign out');
    const dev = await memberWithRole(server, boardId, 'developer', 'Dev');
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const leaving = await watch(await socketFor(server, dev), boardId);
    try {
      const before = await changeSeenBy(watcher, boardId, 'before sign-out');
      await eventually(() => seenCard(leaving, before));

      await dev.ok(dev.post('/api/auth/logout'));
      await eventually(() => leaving.disconnected, WITHIN_MS);
      expect(leaving.disconnected).toBe('io server disconnect');

      const after = await changeSeenBy(watcher, boardId, 'after sign-out');
      expect(seenCard(leaving, after)).toBe(false);
      // The ended session cannot open a new socket to move from either.
      expect(await refusedConnection(() => socketFor(server, dev))).toMatch(/^UNAUTHENTICATED/);
    } finally {
      watcher.socket.close();
      leaving.socket.close();
    }
  });

  it('revoking an API token disconnects the sockets it opened, and only those', async () => {
    const { boardId } = await boardWithCards('Token');
    const dev = await memberWithRole(server, boardId, 'developer', 'Tok');
    const { id, token } = await dev.ok(
      dev.post<{ id: string; token: string }>('/api/tokens', { name: 'script' }),
    );
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const bySession = await watch(await socketFor(server, dev), boardId);
    const byToken = await watch(await socketFor(server, { token }), boardId);
    try {
      await dev.ok(dev.delete(`/api/tokens/${id}`));
      await eventually(() => byToken.disconnected, WITHIN_MS);

      const after = await changeSeenBy(watcher, boardId, 'after revoking');
      // The same person's session is another credential: it still receives.
      await eventually(() => seenCard(bySession, after));
      expect(seenCard(byToken, after)).toBe(false);
      expect(bySession.disconnected).toBeNull();
      expect(await refusedConnection(() => socketFor(server, { token }))).toMatch(/^UNAUTHENTICATED/);
    } finally {
      for (const w of [watcher, bySession, byToken]) w.socket.close();
    }
  });

  it('taking a member off the board takes their socket out of its room: no more events, moves refused', async () => {
    const { boardId, first, second } = await boardWithCards('Removal');
    const otherBoard = (await server.admin.createBoard('Still a member')).id;
    const dev = await memberWithRole(server, boardId, 'developer', 'Rem');
    await alsoMemberOf(otherBoard, dev);
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const removed = await watch(await socketFor(server, dev), boardId, otherBoard);
    try {
      await eventually(() => shownOnBoard(watcher, dev.userId));
      const res = await server.admin.delete(`/api/boards/${boardId}/members/${dev.userId}`);
      expect(res.status).toBe(204);
      await eventually(() => !shownOnBoard(watcher, dev.userId), WITHIN_MS);

      // One connection delivers in order: the other board's later event arriving without this
      // board's earlier one proves this board's was never sent to it.
      const after = await changeSeenBy(watcher, boardId, 'after removal');
      const elsewhere = await server.admin.createCard(otherBoard, { title: 'other board' });
      await eventually(() => seenCard(removed, elsewhere));
      expect(seenCard(removed, after)).toBe(false);
      expect(removed.disconnected).toBeNull();

      const ack = await removed.socket.emitWithAck('card:move', {
        boardId,
        cardId: second.id,
        beforeId: first.id,
      });
      expect(ack).toMatchObject({ ok: false, error: 'NOT_FOUND' });
      const rejoin = await removed.socket.emitWithAck('board:join', { boardId });
      expect(rejoin).toMatchObject({ ok: false, error: 'NOT_FOUND' });
      const members = await server.admin.ok(
        server.admin.get<{ userId: string }[]>(`/api/boards/${boardId}/members`),
      );
      expect(members.map((m) => m.userId)).not.toContain(dev.userId);
    } finally {
      watcher.socket.close();
      removed.socket.close();
    }
  });

  it('a role lowered to viewer still reads, but its moves are refused and it is no longer shown dragging', async () => {
    const { boardId, first, second } = await boardWithCards('Lowered');
    const dev = await memberWithRole(server, boardId, 'developer', 'Low');
    const email = (await dev.ok(dev.get<{ user: { email: string } }>('/api/auth/session'))).user.email;
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const lowered = await watch(await socketFor(server, dev), boardId);
    const draggingBy = (shown: PresenceUser[] | undefined) =>
      shown?.find((u) => u.userId === dev.userId)?.draggingCardId ?? null;
    try {
      lowered.socket.emit('presence:drag', { boardId, cardId: second.id });
      await eventually(() => draggingBy(watcher.presence.at(-1)) === second.id);

      await server.admin.ok(server.admin.put(`/api/boards/${boardId}/members`, { email, role: 'viewer' }));
      await eventually(() => draggingBy(watcher.presence.at(-1)) === null, WITHIN_MS);
      const framesBefore = watcher.presence.length;

      const after = await changeSeenBy(watcher, boardId, 'after lowering');
      await eventually(() => seenCard(lowered, after));
      const ack: MoveAck = await lowered.socket.emitWithAck('card:move', {
        boardId,
        cardId: second.id,
        beforeId: first.id,
      });
      expect(ack).toMatchObject({ ok: false, error: 'FORBIDDEN' });
      lowered.socket.emit('presence:drag', { boardId, cardId: first.id });
      // A later frame of the watcher's own: the viewer's drag was not shown before it, nor in it.
      watcher.socket.emit('presence:drag', { boardId, cardId: after.id });
      await eventually(() =>
        watcher.presence.at(-1)?.some((u) => u.userId === server.admin.userId && u.draggingCardId),
      );
      expect(watcher.presence.slice(framesBefore).map(draggingBy)).not.toContain(first.id);
      expect(lowered.disconnected).toBeNull();
    } finally {
      watcher.socket.close();
      lowered.socket.close();
    }
  });
});

describe('taking a member off a board', () => {
  it('refuses a malformed or unknown member with the field named, and changes nothing', async () => {
    const { boardId } = await boardWithCards('Bad removals');
    const dev = await memberWithRole(server, boardId, 'developer', 'Kept');
    const members = () =>
      server.admin.ok(server.admin.get<{ userId: string }[]>(`/api/boards/${boardId}/members`));
    const before = await members();

    const malformed = await server.admin.delete(`/api/boards/${boardId}/members/not-a-uuid`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'userId' });
    const unknown = await server.admin.delete(`/api/boards/${boardId}/members/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'NOT_FOUND' });
    const byTheMember = await dev.delete(`/api/boards/${boardId}/members/${dev.userId}`);
    expect(byTheMember.status).toBe(403);

    expect(await members()).toEqual(before);
  });
});

describe('a credential that ends without a signal', () => {
  it('a session that expires cuts its idle socket when it expires', async () => {
    const { boardId } = await boardWithCards('Expiry');
    const dev = await memberWithRole(server, boardId, 'developer', 'Exp');
    // A session of the developer's that lasts about a second and a half.
    const token = randomBytes(32).toString('base64url');
    await server.db
      .insertInto('sessions')
      .values({
        id_hash: sha256(token),
        user_id: dev.userId!,
        csrf_token: 'unused',
        expires_at: new Date(Date.now() + 1500),
      })
      .execute();
    const short = new ApiClient(server.baseUrl, { cookie: `${SESSION_COOKIE}=${token}` }, dev.userId);
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const expiring = await watch(await socketFor(server, short), boardId);
    try {
      await eventually(() => expiring.disconnected, 5000);
      const after = await changeSeenBy(watcher, boardId, 'after expiry');
      expect(seenCard(expiring, after)).toBe(false);
    } finally {
      watcher.socket.close();
      expiring.socket.close();
    }
  });

  it('refuses the next frame once the database no longer knows the session, even if no one said so', async () => {
    const { boardId, first, second } = await boardWithCards('Silent end');
    const dev = await memberWithRole(server, boardId, 'developer', 'Sil');
    const watcher = await watch(await socketFor(server, server.admin), boardId);
    const ended = await watch(await socketFor(server, dev), boardId);
    try {
      // As if its session expired, or a sign-out's message from another instance was lost.
      await server.db.deleteFrom('sessions').where('user_id', '=', dev.userId!).execute();
      const acks: MoveAck[] = [];
      await eventually(async () => {
        const ack: MoveAck = await ended.socket
          .timeout(WITHIN_MS)
          .emitWithAck('card:move', { boardId, cardId: second.id, beforeId: first.id });
        acks.push(ack);
        return !ack.ok;
      }, WITHIN_MS * 3);
      expect(acks.at(-1)).toMatchObject({ ok: false, error: 'UNAUTHENTICATED' });
      await eventually(() => ended.disconnected);
      const after = await changeSeenBy(watcher, boardId, 'after the silent end');
      expect(seenCard(ended, after)).toBe(false);
    } finally {
      watcher.socket.close();
      ended.socket.close();
    }
  });
});

describe('two server instances on one database', () => {
  it('a sign-out and a removal handled by one instance cut the sockets connected to the other', async () => {
    const second = await startServer({}, server.databaseUrl);
    try {
      const { boardId } = await boardWithCards('Cluster revocation');
      const otherBoard = (await server.admin.createBoard('Cluster, still a member')).id;
      const leaver = await memberWithRole(server, boardId, 'developer', 'Far');
      const removedUser = await memberWithRole(server, boardId, 'developer', 'Gone');
      await alsoMemberOf(otherBoard, removedUser);
      // Signed in through instance 1, connected to instance 2.
      const watcher = await watch(await socketFor(second, server.admin), boardId);
      const leaving = await watch(await socketFor(second, leaver), boardId);
      const removed = await watch(await socketFor(second, removedUser), boardId, otherBoard);
      try {
        await eventually(
          () => shownOnBoard(watcher, leaver.userId) && shownOnBoard(watcher, removedUser.userId),
        );
        await leaver.ok(leaver.post('/api/auth/logout'));
        await eventually(() => leaving.disconnected, WITHIN_MS);
        expect(leaving.disconnected).toBe('io server disconnect');

        await server.admin.ok(server.admin.delete(`/api/boards/${boardId}/members/${removedUser.userId}`));
        await eventually(() => !shownOnBoard(watcher, removedUser.userId), WITHIN_MS);
        const after = await changeSeenBy(watcher, boardId, 'after, on instance 2');
        // In order on one connection: the other board's later event without this board's.
        const elsewhere = await server.admin.createCard(otherBoard, { title: 'other board' });
        await eventually(() => seenCard(removed, elsewhere));
        for (const w of [leaving, removed]) expect(seenCard(w, after)).toBe(false);
        expect(removed.disconnected).toBeNull();
      } finally {
        for (const w of [watcher, leaving, removed]) w.socket.close();
      }
    } finally {
      await second.close();
    }
  });
});
