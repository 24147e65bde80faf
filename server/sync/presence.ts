/**
 * Presence: who is on each board and which card they drag, sent to the board's sockets as changes.
 *
 * Each instance owns the entries of its own sockets (one entry per board and user, their sockets on
 * this instance merged) and keeps a replica of every other instance's entries, so the whole list a
 * joining socket needs is at hand without asking the cluster. The view a socket sees is the own
 * entries plus the replicas; every change to it is marked on its board and, once per tick, each
 * board with changes gets ONE frame holding each changed entry as it is now (or its key, if gone).
 * A burst of joins is a few frames, not one per join per watcher, and a frame's size is the number
 * of changes in it, whatever the audience.
 *
 * Between instances (the socket.io adapter's server-side messages): an instance sends its own
 * changes, numbered, once per tick, and a heartbeat with its latest number. A receiver that misses a
 * number (or hears an instance it does not know) asks that instance for its whole state, which
 * replaces the replica; an instance not heard for `peerTimeoutMs` (killed, cut off) is dropped with
 * all its entries. A closing instance says goodbye so the others drop it at once. Every change a
 * replica takes goes to the local sockets as a change too, so every client's list converges on the
 * truth after any joins, leaves and kills.
 */
import type { PresenceEntry, PresenceFrame, PresenceKey } from '../../protocol/socket.ts';

export interface PeerEntries {
  boardId: string;
  /** entries set, as they are now */
  set: PresenceEntry[];
  /** users whose entry (of the sending instance) is gone */
  gone: string[];
}

/** What instances tell each other (one server-side event, `presence`). */
export type PeerMessage =
  | { kind: 'changes'; from: string; seq: number; boards: PeerEntries[] }
  | { kind: 'heartbeat'; from: string; seq: number }
  | { kind: 'state-request'; from: string; to: string | null }
  | { kind: 'state'; from: string; seq: number; entries: (PresenceEntry & { boardId: string })[] }
  | { kind: 'bye'; from: string };

export interface PresenceOptions {
  instanceId: string;
  /** sends a frame to this instance's sockets on the board */
  toLocal(boardId: string, frame: PresenceChanges): void;
  /** sends a message to every other instance (absent on a single instance) */
  toPeers?: (message: PeerMessage) => void;
  /** how long changes gather before a board's frame leaves */
  tickMs?: number;
  heartbeatMs?: number;
  /** an instance silent this long is taken for dead */
  peerTimeoutMs?: number;
  clock?: () => number;
}

export const PRESENCE_TICK_MS = 50;
export const PRESENCE_HEARTBEAT_MS = 5000;

interface LocalUser {
  name: string;
  /** socket id → card it drags (null when none) */
  sockets: Map<string, string | null>;
}

interface Peer {
  seq: number;
  lastHeard: number;
}

const keyOf = (instanceId: string, userId: string) => `${instanceId}\u0000${userId}`;

/** A board's presence frame that carries changes (what a tick sends), not the whole list. */
export type PresenceChanges = Extract<PresenceFrame, { set: PresenceEntry[] }>;

/**
 * Two frames of changes of one board as one: each entry as the later frame left it. Applying the
 * result equals applying both in turn (web/src/lib/board/presence.ts), since every change is an
 * entry's latest state.
 */
export function mergePresenceChanges(earlier: PresenceChanges, later: PresenceChanges): PresenceChanges {
  const set = new Map(earlier.set.map((e) => [keyOf(e.instanceId, e.userId), e]));
  const gone = new Map(earlier.gone.map((k) => [keyOf(k.instanceId, k.userId), k]));
  for (const k of later.gone) {
    set.delete(keyOf(k.instanceId, k.userId));
    gone.set(keyOf(k.instanceId, k.userId), k);
  }
  for (const e of later.set) {
    gone.delete(keyOf(e.instanceId, e.userId));
    set.set(keyOf(e.instanceId, e.userId), e);
  }
  return { boardId: later.boardId, set: [...set.values()], gone: [...gone.values()] };
}

function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function sameEntry(a: PresenceEntry | undefined, b: PresenceEntry | undefined) {
  return a?.name === b?.name && a?.draggingCardId === b?.draggingCardId;
}

export class BoardPresence {
  readonly instanceId: string;
  /** boardId → userId → this instance's sockets of that user on the board */
  private readonly local = new Map<string, Map<string, LocalUser>>();
  /** boardId → key → entry: what this instance's sockets are shown (own entries and replicas) */
  private readonly view = new Map<string, Map<string, PresenceEntry>>();
  /** boardId → keys changed since the last frame */
  private readonly dirty = new Map<string, Set<string>>();
  /** boardId → users whose own entry changed since the last message to the peers */
  private readonly outgoing = new Map<string, Set<string>>();
  private readonly peers = new Map<string, Peer>();
  private seq = 0;
  private tick: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly tickMs: number;
  private readonly heartbeatMs: number;
  private readonly peerTimeoutMs: number;
  private readonly clock: () => number;

  constructor(private readonly opts: PresenceOptions) {
    this.instanceId = opts.instanceId;
    this.tickMs = opts.tickMs ?? PRESENCE_TICK_MS;
    this.heartbeatMs = opts.heartbeatMs ?? PRESENCE_HEARTBEAT_MS;
    this.peerTimeoutMs = opts.peerTimeoutMs ?? 3 * this.heartbeatMs;
    this.clock = opts.clock ?? (() => Date.now());
  }

  /** Announces this instance, asks the others for their state, and starts the heartbeat. */
  start(): void {
    if (!this.opts.toPeers) return;
    this.opts.toPeers({ kind: 'state-request', from: this.instanceId, to: null });
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    this.beat();
  }

  /** Stops the timers; `goodbye` tells the others to drop this instance's entries now. */
  stop(goodbye: boolean): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.tick) clearTimeout(this.tick);
    this.heartbeat = this.tick = null;
    if (goodbye) this.opts.toPeers?.({ kind: 'bye', from: this.instanceId });
  }

  // ---- this instance's sockets -------------------------------------------------------------------

  joined(boardId: string, socketId: string, user: { id: string; name: string }): void {
    const u = entryOf(
      entryOf(this.local, boardId, () => new Map<string, LocalUser>()),
      user.id,
      () => ({
        name: user.name,
        sockets: new Map<string, string | null>(),
      }),
    );
    u.name = user.name;
    u.sockets.set(socketId, null); // a join (or a join again) starts with no drag, as socket.data does
    this.ownChanged(boardId, user.id);
  }

  left(boardId: string, socketId: string, userId: string): void {
    const users = this.local.get(boardId);
    const u = users?.get(userId);
    if (!users || !u?.sockets.delete(socketId)) return;
    if (u.sockets.size === 0) users.delete(userId);
    if (users.size === 0) this.local.delete(boardId);
    this.ownChanged(boardId, userId);
  }

  dragging(boardId: string, socketId: string, userId: string, cardId: string | null): void {
    const u = this.local.get(boardId)?.get(userId);
    if (!u?.sockets.has(socketId)) return;
    u.sockets.set(socketId, cardId);
    this.ownChanged(boardId, userId);
  }

  /** Everyone on the board as this instance knows it: the list a joining socket is sent. */
  entries(boardId: string): PresenceEntry[] {
    return [...(this.view.get(boardId)?.values() ?? [])];
  }

  private ownChanged(boardId: string, userId: string) {
    const u = this.local.get(boardId)?.get(userId);
    let dragging: string | null = null;
    for (const card of u?.sockets.values() ?? []) dragging ??= card;
    const entry = u
      ? { instanceId: this.instanceId, userId, name: u.name, draggingCardId: dragging }
      : undefined;
    if (!this.put(boardId, keyOf(this.instanceId, userId), entry)) return;
    if (!this.opts.toPeers) return;
    entryOf(this.outgoing, boardId, () => new Set<string>()).add(userId);
    this.schedule();
  }

  /** Sets or removes one entry of the view; true if that changed it (then the board is dirty). */
  private put(boardId: string, key: string, entry: PresenceEntry | undefined): boolean {
    const held = this.view.get(boardId)?.get(key);
    if (entry ? held && sameEntry(held, entry) : !held) return false;
    if (entry) entryOf(this.view, boardId, () => new Map<string, PresenceEntry>()).set(key, entry);
    else {
      const board = this.view.get(boardId)!;
      board.delete(key);
      if (board.size === 0) this.view.delete(boardId);
    }
    entryOf(this.dirty, boardId, () => new Set<string>()).add(key);
    this.schedule();
    return true;
  }

  private schedule() {
    if (this.tick) return;
    this.tick = setTimeout(() => this.flush(), this.tickMs);
  }

  /** One frame per changed board to the local sockets, and one message with the own changes to the peers. */
  flush(): void {
    if (this.tick) clearTimeout(this.tick);
    this.tick = null;
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const [boardId, keys] of dirty) {
      const board = this.view.get(boardId);
      const set: PresenceEntry[] = [];
      const gone: PresenceKey[] = [];
      for (const key of keys) {
        const entry = board?.get(key);
        if (entry) set.push(entry);
        else {
          const [instanceId = '', userId = ''] = key.split('\u0000');
          gone.push({ instanceId, userId });
        }
      }
      this.opts.toLocal(boardId, { boardId, set, gone });
    }
    if (this.outgoing.size === 0 || !this.opts.toPeers) return;
    const boards: PeerEntries[] = [];
    for (const [boardId, users] of this.outgoing) {
      const own = this.view.get(boardId);
      const set: PresenceEntry[] = [];
      const gone: string[] = [];
      for (const userId of users) {
        const entry = own?.get(keyOf(this.instanceId, userId));
        if (entry) set.push(entry);
        else gone.push(userId);
      }
      boards.push({ boardId, set, gone });
    }
    this.outgoing.clear();
    this.opts.toPeers({ kind: 'changes', from: this.instanceId, seq: ++this.seq, boards });
  }

  // ---- other instances ---------------------------------------------------------------------------

  /** Drops the peers silent too long and tells the others this one is alive (the heartbeat timer's work). */
  beat(): void {
    const now = this.clock();
    for (const [instanceId, peer] of this.peers) {
      if (now - peer.lastHeard > this.peerTimeoutMs) this.dropPeer(instanceId);
    }
    this.opts.toPeers?.({ kind: 'heartbeat', from: this.instanceId, seq: this.seq });
  }

  /** Takes in a message from another instance. */
  receive(message: PeerMessage): void {
    if (message.from === this.instanceId) return;
    switch (message.kind) {
      case 'bye':
        this.dropPeer(message.from);
        return;
      case 'state-request':
        this.heard(message.from);
        if (message.to === null || message.to === this.instanceId) this.sendState();
        return;
      case 'heartbeat': {
        const peer = this.heard(message.from);
        if (peer.seq < message.seq) this.askState(message.from);
        return;
      }
      case 'changes': {
        const peer = this.heard(message.from);
        if (message.seq <= peer.seq) return; // already applied, or older than the state taken in
        if (message.seq !== peer.seq + 1) this.askState(message.from); // missed some: start from its state
        peer.seq = message.seq;
        for (const { boardId, set, gone } of message.boards) {
          for (const userId of gone) this.put(boardId, keyOf(message.from, userId), undefined);
          for (const entry of set) this.put(boardId, keyOf(message.from, entry.userId), entry);
        }
        return;
      }
      case 'state': {
        const peer = this.heard(message.from);
        if (message.seq < peer.seq) return;
        peer.seq = message.seq;
        const fresh = new Map<string, Map<string, PresenceEntry>>();
        for (const { boardId, ...entry } of message.entries)
          entryOf(fresh, boardId, () => new Map<string, PresenceEntry>()).set(
            keyOf(message.from, entry.userId),
            entry,
          );
        for (const [boardId, board] of [...this.view]) {
          for (const [key, entry] of [...board]) {
            if (entry.instanceId === message.from && !fresh.get(boardId)?.has(key))
              this.put(boardId, key, undefined);
          }
        }
        for (const [boardId, board] of fresh) for (const [key, entry] of board) this.put(boardId, key, entry);
        return;
      }
    }
  }

  /** The peer, known from now on if it was not, with the time it was last heard. */
  private heard(instanceId: string): Peer {
    let peer = this.peers.get(instanceId);
    if (!peer) {
      // Not known yet: its entries come with its state (-1: any state is newer).
      peer = { seq: -1, lastHeard: this.clock() };
      this.peers.set(instanceId, peer);
      this.askState(instanceId);
    }
    peer.lastHeard = this.clock();
    return peer;
  }

  private askState(instanceId: string) {
    this.opts.toPeers?.({ kind: 'state-request', from: this.instanceId, to: instanceId });
  }

  private sendState() {
    const entries: (PresenceEntry & { boardId: string })[] = [];
    for (const [boardId, users] of this.local) {
      for (const userId of users.keys()) {
        const entry = this.view.get(boardId)?.get(keyOf(this.instanceId, userId));
        if (entry) entries.push({ boardId, ...entry });
      }
    }
    // Own changes not yet sent are in this state; the next changes message repeats them, harmlessly.
    this.opts.toPeers?.({ kind: 'state', from: this.instanceId, seq: this.seq, entries });
  }

  private dropPeer(instanceId: string) {
    this.peers.delete(instanceId);
    for (const [boardId, board] of [...this.view]) {
      for (const [key, entry] of [...board])
        if (entry.instanceId === instanceId) this.put(boardId, key, undefined);
    }
  }
}
