/**
 * The real-time protocol: one small set of frames. Every client→server frame is validated at
 * runtime with these schemas, exactly as HTTP bodies are.
 */
import { type Static, Type } from 'typebox';
import { type BoardEvent, MoveCardBody, type Snapshot, SnapshotSchema, Uuid } from './model.ts';

export const JoinFrame = Type.Object(
  {
    boardId: Uuid,
    sinceSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'last sequence this client applied',
      }),
    ),
  },
  { additionalProperties: false },
);
export type JoinFrame = Static<typeof JoinFrame>;

export const MoveFrame = Type.Object(
  { boardId: Uuid, cardId: Uuid, ...MoveCardBody.properties },
  { additionalProperties: false },
);
export type MoveFrame = Static<typeof MoveFrame>;

export const DragFrame = Type.Object(
  { boardId: Uuid, cardId: Type.Union([Uuid, Type.Null()]) },
  { additionalProperties: false },
);
export type DragFrame = Static<typeof DragFrame>;

export interface WireError {
  error: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * A refusal with `error: 'OVERLOADED'` (too many joins reach this server at once, e.g. everyone
 * reconnecting after a deploy) carries `retryAfterMs`: join again after that long. The hints are
 * spread, so the refused clients come back at the rate the server admits.
 */
export type JoinAck =
  | { ok: true; mode: 'events'; seq: number; events: BoardEvent[] }
  | { ok: true; mode: 'snapshot'; seq: number; snapshot: Snapshot }
  | ({ ok: false; retryAfterMs?: number } & WireError);

/**
 * `warning` is set when a warn-policy column accepted the move over its WIP limit (for the mover).
 * A refusal with `error: 'OVERLOADED'` (the server is shedding load) carries `retryAfterMs`: nothing
 * changed, and the client should wait that long before moving again.
 */
export type MoveAck =
  | { ok: true; event: BoardEvent; warning?: string }
  | ({ ok: false; retryAfterMs?: number } & WireError);

export type DragAck = { ok: true } | ({ ok: false } & WireError);

/** Someone on the board, as the web app shows them (their entries on every server instance merged). */
export interface PresenceUser {
  userId: string;
  name: string;
  draggingCardId: string | null;
}

/**
 * Someone on the board through one server instance (their sockets there merged). A person connected
 * through two instances is two entries; the client merges them by `userId`.
 */
export interface PresenceEntry extends PresenceUser {
  instanceId: string;
}
export interface PresenceKey {
  instanceId: string;
  userId: string;
}

/**
 * Presence travels as changes. A socket that joins a board gets the whole list once (`full`), then
 * only what changed: entries added or changed (`set`, each as it is now) and entries gone. Every
 * change is the entry's latest state, so applying one twice, or after a `full` that already has it,
 * changes nothing. Changes are gathered per board for a short tick, so a burst of joins is one frame.
 */
export type PresenceFrame =
  | { boardId: string; full: true; entries: PresenceEntry[] }
  | { boardId: string; full?: undefined; set: PresenceEntry[]; gone: PresenceKey[] };

export interface ServerToClient {
  /** committed board events in seq order, batched per event-loop turn (one or more per frame) */
  'board:events': (events: BoardEvent[]) => void;
  presence: (frame: PresenceFrame) => void;
}
export interface ClientToServer {
  'board:join': (frame: JoinFrame, ack: (reply: JoinAck) => void) => void;
  'board:leave': (frame: { boardId: string }) => void;
  'card:move': (frame: MoveFrame, ack: (reply: MoveAck) => void) => void;
  /** the ack is optional: the web app sends drags without one */
  'presence:drag': (frame: DragFrame, ack?: (reply: DragAck) => void) => void;
}

/** How many missed events a reconnecting client is sent before it gets a snapshot instead. */
export const CATCH_UP_LIMIT = 500;

/**
 * How the web client comes back after losing the server (socket.io's reconnection): the first try
 * after `delayMs`, each draw within ±`randomization` of it, doubling up to `maxDelayMs`. The bench's
 * reconnect storm arrives the same way.
 */
export const RECONNECT_BACKOFF = { delayMs: 1000, maxDelayMs: 10_000, randomization: 0.5 } as const;
export { SnapshotSchema };

// ---- Feature flags (types in protocol/flags.ts). Kept as a block of its own: interface merging adds
// the frame to ServerToClient above. Sent to every socket when a flag's override changes on any
// instance; clients then fetch their evaluated flags again (GET /api/flags/evaluated).
export interface ServerToClient {
  'flags:changed': (frame: import('./flags.ts').FlagsChangedFrame) => void;
}

// ---- Request portal (types in protocol/portal.ts): sent only to the requester's own sockets (their
// user room, never a board room) when one of their requests changed; the portal fetches it again.
export interface ServerToClient {
  'portal:changed': (frame: import('./portal.ts').PortalChangedFrame) => void;
}

// ---- In-app inbox (types in protocol/inbox.ts): sent only to the person's own sockets (their user
// room) when their inbox changed, with their unread count; the open list fetches itself again.
export interface ServerToClient {
  'inbox:changed': (frame: import('./inbox.ts').InboxChangedFrame) => void;
}
