/**
 * socket.io: clients join a board's room, get exactly the events they missed (or a snapshot), move
 * cards, and see who is dragging what. Every frame is validated with the protocol's schemas and every
 * action goes through the same services (and access checks) as HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import pLimit from 'p-limit';
import type pg from 'pg';
import { Server, type Socket } from 'socket.io';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { BoardEvent, BoardEventOf, Card, MoveCardInput, Snapshot } from '../../protocol/model.ts';
import {
  CATCH_UP_LIMIT,
  type ClientToServer,
  DragFrame,
  type JoinAck,
  JoinFrame,
  MoveFrame,
  type ServerToClient,
} from '../../protocol/socket.ts';
import { type Actor, requireBoardPermission, requireBoardPermissionAt } from '../access/board-access.ts';
import { roleAllows } from '../access/permissions.ts';
import { type AuthenticatedUser, type AuthService, actorOf, type SignedIn } from '../auth/service.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid } from '../infra/errors.ts';
import { SESSION_COOKIE } from '../infra/http.ts';
import { BoardBatches } from './board-batches.ts';
import { type BoardEventBus, eventsSince } from './event-log.ts';
import { listenForRemoteEvents } from './fanout.ts';
import { JOIN_LIMITS, JoinAdmission, type JoinLimits } from './join-admission.ts';
import { BoardPresence, mergePresenceChanges, type PeerMessage, type PresenceChanges } from './presence.ts';
import { OneInFlight, sendInSlices } from './sliced-send.ts';
import { credentialRoom, guardSocket, userRoom } from './socket-credentials.ts';

interface SocketData {
  user: AuthenticatedUser;
  /** what signed this socket in, as found at connect (guardSocket keeps it current) */
  signedIn: SignedIn;
  /** boardId → card being dragged (null when not dragging) for each board this socket joined */
  boards: Map<string, string | null>;
}
/** What server instances tell each other through the adapter (presence.ts). */
interface BetweenInstances {
  presence: (message: PeerMessage) => void;
}
type BoardSocket = Socket<ClientToServer, ServerToClient, BetweenInstances, SocketData>;
export type RealtimeServer = Server<ClientToServer, ServerToClient, BetweenInstances, SocketData>;

const room = (boardId: string) => `board:${boardId}`;
/**
 * Frames whose handler re-checks the socket's credential itself, after admission (socket-credentials.ts):
 * in a reconnect storm every client joins at once, and a check each before refusing most of them
 * would queue thousands of queries ahead of the moves on boards already joined.
 */
const CHECKED_AFTER_ADMISSION = new Set(['board:join']);

function validator<T extends TSchema>(schema: T) {
  const compiled = Compile(schema);
  return (frame: unknown) => {
    if (compiled.Check(frame)) return frame as never;
    const first = [...compiled.Errors(frame)][0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'frame';
    throw new AppError('VALIDATION_FAILED', `${field}: ${first?.message ?? 'invalid'}`, { field });
  };
}
const checkJoin = validator(JoinFrame);
const checkMove = validator(MoveFrame);
const checkDrag = validator(DragFrame);

function replyError(err: unknown) {
  if (err instanceof AppError) return { ok: false as const, ...err.toBody() };
  return { ok: false as const, error: 'INTERNAL', message: 'internal error' };
}

function parseCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/**
 * One frame to this instance's sockets on a board, a slice of them per turn of the event loop
 * (sliced-send.ts); each socket is in a room named by its id, and the frame is encoded once per slice.
 */
function sendToBoard<E extends keyof ServerToClient>(
  io: RealtimeServer,
  boardId: string,
  done: (busyMs: number) => void,
  event: E,
  ...frame: Parameters<ServerToClient[E]>
) {
  const watching = () => io.sockets.adapter.rooms.get(room(boardId));
  sendInSlices({
    watchers: [...(watching() ?? [])],
    stillWatching: (id) => watching()?.has(id) ?? false,
    send: (slice) => io.local.to(slice).emit(event, ...frame),
    later: setImmediate,
    done,
  });
}

/**
 * What the socket layer asks of the board and card services. Declared here and handed over by app.ts,
 * so sync/ imports no feature folder (those import sync/ for the event log).
 */
export interface BoardSnapshots {
  snapshot(actor: Actor, boardId: string): Promise<Snapshot>;
}
export interface CardMoves {
  move(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
  ): Promise<{ card: Card; event: BoardEvent; warning?: string }>;
}

export interface RealtimeDeps {
  db: Db;
  auth: AuthService;
  boards: BoardSnapshots;
  cards: CardMoves;
  bus: BoardEventBus;
  /** share rooms with other server instances through this PostgreSQL pool */
  clusterPool?: pg.Pool;
  onConnectionCount?: (n: number) => void;
  /** how often this instance tells the others it is alive (presence); silent 3x this long, it is dropped */
  presenceHeartbeatMs?: number;
  /** bounds on board joins per instance (join-admission.ts) */
  joinLimits?: JoinLimits;
}

/**
 * New sockets' sign-ins looked up at once, at most. After a restart every client connects again within
 * a second or two; unbounded, their lookups filled the pool's queue, and the moves of sockets already
 * on their boards waited behind them (docs/performance.md). The others wait their turn here.
 */
export const SIGN_IN_CONCURRENCY = 4;

export interface Realtime {
  io: RealtimeServer;
  /** Stop broadcasting, stop listening for other instances (awaited: before the pool ends), close io. */
  close(): Promise<void>;
}

/**
 * The pool as @socket.io/postgres-adapter (0.5.0) gets it. When its LISTEN connection ends (PostgreSQL
 * restarted) the adapter connects a new one but never releases the dead one: each restart would keep a
 * pool slot for ever, and the pool could then never end, so shutdown hung
 * (test/drills/postgres-restart.test.ts). Here an ended connection is released, once.
 */
function adapterPool(pool: pg.Pool): pg.Pool {
  return {
    query: pool.query.bind(pool),
    async connect() {
      const client = await pool.connect();
      const release = client.release.bind(client);
      let released = false;
      client.release = (err?: Error | boolean) => {
        if (released) return;
        released = true;
        release(err);
      };
      client.on('error', () => {}); // the adapter adds none; its 'end' listener reconnects
      client.once('end', () => client.release(new Error('connection ended')));
      return client;
    },
  } as unknown as pg.Pool;
}

export async function attachRealtime(httpServer: HttpServer, deps: RealtimeDeps): Promise<Realtime> {
  const io: RealtimeServer = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Cookie-authenticated sockets from another site are refused below; no CORS grant is needed.
    cors: undefined,
  });
  if (deps.clusterPool)
    io.adapter(createAdapter(adapterPool(deps.clusterPool), { tableName: 'socket_io_attachments' }));

  const signIns = pLimit(SIGN_IN_CONCURRENCY);
  io.use(async (socket, next) => {
    try {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      let signedIn: SignedIn | null = null;
      if (token) signedIn = await signIns(() => deps.auth.signInByToken(token));
      else {
        const cookie = parseCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
        if (cookie) {
          const origin = socket.handshake.headers.origin;
          const host = socket.handshake.headers.host;
          if (origin && host && new URL(origin).host !== host)
            return next(new Error('FORBIDDEN: cross-site socket'));
          signedIn = await signIns(() => deps.auth.signInBySession(cookie));
        }
      }
      if (!signedIn) return next(new Error('UNAUTHENTICATED: sign in or send an API token'));
      socket.data.signedIn = signedIn;
      socket.data.user = signedIn.user;
      socket.data.boards = new Map();
      next();
    } catch (err) {
      next(err as Error);
    }
  });

  // A board's presence frames go out in slices like its events, one frame in flight per board; ticks
  // made meanwhile merge into the next. Local sockets only: other instances hear the changes from
  // this one's presence messages.
  const presenceFrames = new OneInFlight<PresenceChanges>(mergePresenceChanges, (boardId, frame, done) =>
    sendToBoard(io, boardId, done, 'presence', frame),
  );
  const presence = new BoardPresence({
    instanceId: randomUUID(),
    toLocal: (boardId, frame) => presenceFrames.send(boardId, frame),
    toPeers: deps.clusterPool ? (message) => io.serverSideEmit('presence', message) : undefined,
    heartbeatMs: deps.presenceHeartbeatMs,
  });
  io.on('presence', (message) => presence.receive(message));
  presence.start();
  const joins = new JoinAdmission(deps.joinLimits ?? JOIN_LIMITS);

  // Local sockets only: other instances read the events from the log (fanout.ts), so no copy
  // of the frame travels through the adapter (which would also hold this send until its NOTIFY).
  const batches = new BoardBatches<BoardEvent>({
    send: (boardId, events, done) => sendToBoard(io, boardId, done, 'board:events', events),
    watched: (boardId) => (io.sockets.adapter.rooms.get(room(boardId))?.size ?? 0) > 0,
  });
  // Every instance sees every event (its own from the bus, the others' from the log), so each one
  // applies membership changes to its own sockets before sending anything committed after them.
  const broadcast = (event: BoardEvent) => {
    if (event.type === 'member.removed' || event.type === 'member.set') applyMembership(event);
    batches.push(event);
  };
  const unsubscribe = deps.bus.subscribe(broadcast);

  /**
   * After the listening connection was lost (PostgreSQL restarted), other instances' events of that
   * time were announced to nobody here: send each board's sockets what the log holds past what they
   * were sent. Without it a quiet board's watchers stayed behind until its next change.
   */
  async function resend() {
    for (const [boardId, seq] of batches.sentOnWatched()) {
      try {
        for (let from = seq, pages = 0; pages < 10; pages++) {
          const events = await eventsSince(deps.db, boardId, from, CATCH_UP_LIMIT);
          for (const event of events) broadcast(event);
          if (events.length < CATCH_UP_LIMIT) break;
          from = events.at(-1)!.seq;
        }
      } catch {
        // the database went away again: the next reconnect sends it
      }
    }
  }

  // Presence and socket lookups cross instances through the adapter; board events through the log.
  const remote = deps.clusterPool
    ? await listenForRemoteEvents(
        deps.clusterPool,
        deps.db,
        deps.bus.origin,
        (events) => {
          for (const event of events) broadcast(event);
        },
        undefined,
        () => void resend(),
      )
    : null;
  // The adapter carries the disconnect to the instances holding that session's or token's sockets.
  const stopRevocations = deps.auth.onRevoked((credential) =>
    io.in(credentialRoom(credential)).disconnectSockets(true),
  );

  /** This instance's sockets of a user that are on a board; synchronous, so before the next frame. */
  function socketsOnBoard(userId: string, boardId: string): BoardSocket[] {
    const ids = io.sockets.adapter.rooms.get(userRoom(userId)) ?? new Set<string>();
    return [...ids]
      .map((id) => io.sockets.sockets.get(id))
      .filter((s): s is BoardSocket => !!s?.data.boards?.has(boardId));
  }

  /**
   * A removed member's sockets leave the board's room (a site administrator keeps every board); a
   * member whose new role cannot move cards stops being shown dragging one. Moves and drags check
   * the role the database has at each frame, so nothing else is cached to correct.
   */
  function applyMembership(event: BoardEventOf<'member.removed' | 'member.set'>) {
    const userId = event.type === 'member.removed' ? event.payload.userId : event.payload.member.userId;
    const role = event.type === 'member.set' ? event.payload.member.role : undefined;
    for (const socket of socketsOnBoard(userId, event.boardId)) {
      if (event.type === 'member.removed' && !socket.data.user.isAdmin) {
        socket.data.boards.delete(event.boardId);
        void socket.leave(room(event.boardId));
        presence.left(event.boardId, socket.id, userId);
      } else if (role && !roleAllows(role, 'card:move') && socket.data.boards.get(event.boardId)) {
        socket.data.boards.set(event.boardId, null);
        presence.dragging(event.boardId, socket.id, userId, null);
      }
    }
  }

  /**
   * Puts the socket in the board's room if its user may read the board; the board's sequence number as
   * read once in the room. A removal committed between the check and the join found the socket not yet
   * on the board, so the check is made again after, and reads that number with it.
   */
  async function enterBoard(socket: BoardSocket, actor: Actor, boardId: string): Promise<number> {
    await requireBoardPermission(deps.db, actor, boardId, 'board:read');
    await socket.join(room(boardId));
    socket.data.boards.set(boardId, null);
    try {
      return (await requireBoardPermissionAt(deps.db, actor, boardId, 'board:read')).seq;
    } catch (err) {
      socket.data.boards.delete(boardId);
      await socket.leave(room(boardId));
      throw err;
    }
  }

  io.on('connection', (socket: BoardSocket) => {
    deps.onConnectionCount?.(io.engine.clientsCount);
    let actor = actorOf(socket.data.user);
    const guard = guardSocket(
      socket,
      socket.data.signedIn,
      deps.auth,
      (fresh) => {
        socket.data.signedIn = fresh;
        socket.data.user = fresh.user;
        actor = actorOf(fresh.user);
      },
      CHECKED_AFTER_ADMISSION,
    );

    socket.on('board:join', async (frame, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      // A malformed frame is refused as such, and never takes one of the admitted joins' places.
      let f: JoinFrame;
      try {
        f = checkJoin(frame) as JoinFrame;
      } catch (err) {
        reply(replyError(err));
        return;
      }
      const ticket = joins.enter();
      if (!ticket.admit) {
        reply({
          ok: false,
          error: 'OVERLOADED',
          message: 'too many joins at once: join again after retryAfterMs',
          retryAfterMs: ticket.retryAfterMs,
        });
        return;
      }
      try {
        // The credential is re-checked only now, once admitted: a refused join costs no query.
        if (!(await guard.confirm(reply))) return;
        // Join first, then read: an event committed in between arrives twice at worst, and the client
        // drops anything at or below the sequence it already applied.
        const seq = await enterBoard(socket, actor, f.boardId);
        let answer: JoinAck | null = null;
        // A client claiming a sequence the board never reached (another database, a restore) holds a
        // state the board never had: it gets a snapshot, never its own number echoed back.
        if (f.sinceSeq !== undefined && f.sinceSeq <= seq) {
          const events =
            f.sinceSeq < seq ? await eventsSince(deps.db, f.boardId, f.sinceSeq, CATCH_UP_LIMIT + 1) : [];
          if (events.length <= CATCH_UP_LIMIT)
            answer = { ok: true, mode: 'events', seq: events.at(-1)?.seq ?? f.sinceSeq, events };
        }
        if (!answer) {
          const snapshot = await deps.boards.snapshot(actor, f.boardId);
          answer = { ok: true, mode: 'snapshot', seq: snapshot.seq, snapshot };
        }
        // Still on the board (a removal may have taken it off meanwhile): shown to the others, and
        // sent the whole list once, after the answer; changes made since reach it as changes.
        if (socket.data.boards.has(f.boardId)) presence.joined(f.boardId, socket.id, socket.data.user);
        batches.joined(f.boardId, answer.seq);
        reply(answer);
        if (socket.data.boards.has(f.boardId))
          socket.emit('presence', { boardId: f.boardId, full: true, entries: presence.entries(f.boardId) });
      } catch (err) {
        reply(replyError(err));
      } finally {
        ticket.release();
      }
    });

    socket.on('board:leave', async (frame) => {
      const boardId = (frame as { boardId?: unknown })?.boardId;
      if (typeof boardId !== 'string' || !socket.data.boards.has(boardId)) return;
      socket.data.boards.delete(boardId);
      presence.left(boardId, socket.id, socket.data.user.id);
      await socket.leave(room(boardId));
    });

    socket.on('card:move', async (frame, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      try {
        const { boardId, cardId, ...move } = checkMove(frame) as MoveFrame;
        const result = await deps.cards.move(actor, boardId, cardId, move);
        reply({ ok: true, event: result.event, ...(result.warning ? { warning: result.warning } : {}) });
      } catch (err) {
        reply(replyError(err));
      }
    });

    socket.on('presence:drag', async (frame, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      try {
        const f = checkDrag(frame) as DragFrame;
        if (!socket.data.boards.has(f.boardId)) throw invalid('boardId', 'join the board first');
        // Only someone who may move cards is shown dragging one: the role as it is now.
        if (f.cardId) await requireBoardPermission(deps.db, actor, f.boardId, 'card:move');
        if (!socket.data.boards.has(f.boardId)) throw invalid('boardId', 'join the board first');
        socket.data.boards.set(f.boardId, f.cardId);
        presence.dragging(f.boardId, socket.id, socket.data.user.id, f.cardId);
        reply({ ok: true });
      } catch (err) {
        reply(replyError(err)); // a malformed frame, or one from a role that cannot move cards, changes nothing
      }
    });

    socket.on('disconnect', () => {
      deps.onConnectionCount?.(io.engine.clientsCount);
      for (const boardId of socket.data.boards.keys()) presence.left(boardId, socket.id, socket.data.user.id);
    });
  });

  return {
    io,
    async close() {
      presence.stop(true);
      unsubscribe();
      stopRevocations();
      await remote?.close().catch(() => {});
      await io.close();
    },
  };
}
