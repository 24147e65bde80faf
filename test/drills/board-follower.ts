/**
 * A board watcher for the drills that behaves like the web app's socket: it reconnects by itself,
 * joins with the last sequence it applied (so the server sends only what it missed), applies events
 * in sequence order and asks for a gap again. What it ends up holding is what a person's screen shows.
 */
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { BoardEvent } from '../../protocol/model.ts';
import type { ClientToServer, JoinAck, ServerToClient } from '../../protocol/socket.ts';

export class BoardFollower {
  /** the last sequence applied */
  seq = 0;
  /** the cards the screen shows (ids) */
  readonly cards = new Set<string>();
  /** connections after the first (each one re-joined with `seq`) */
  reconnects = 0;
  private connected = 0;
  private joining = false;
  private pending: BoardEvent[] = [];
  readonly socket: Socket<ServerToClient, ClientToServer>;

  constructor(
    baseUrl: string,
    cookie: string,
    private readonly boardId: string,
  ) {
    this.socket = connectSocket(baseUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      forceNew: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    this.socket.on('connect', () => {
      if (this.connected++ > 0) this.reconnects++;
      void this.join();
    });
    this.socket.on('board:events', (events) => {
      this.pending.push(...events);
      this.drain();
    });
  }

  /** Resolves once the first join has been answered. */
  ready(): Promise<void> {
    return new Promise((resolve) => {
      const check = () =>
        this.connected > 0 && !this.joining && this.seq >= 0 ? resolve() : setTimeout(check, 20);
      check();
    });
  }

  private async join(): Promise<void> {
    if (this.joining) return;
    this.joining = true;
    try {
      const frame =
        this.connected > 1 || this.seq > 0
          ? { boardId: this.boardId, sinceSeq: this.seq }
          : { boardId: this.boardId };
      const ack = (await this.socket.timeout(5000).emitWithAck('board:join', frame)) as JoinAck;
      if (!ack.ok) return;
      if (ack.mode === 'snapshot') {
        this.cards.clear();
        for (const c of ack.snapshot.cards) this.cards.add(c.id);
        this.seq = ack.snapshot.seq;
      } else {
        this.pending.push(...ack.events);
      }
    } catch {
      // no answer (server gone): the next connect joins again
    } finally {
      this.joining = false;
    }
    this.drain();
  }

  private apply(e: BoardEvent): void {
    if (e.type === 'card.created' && e.cardId) this.cards.add(e.cardId);
    if (e.type === 'card.deleted' && e.cardId) this.cards.delete(e.cardId);
    this.seq = e.seq;
  }

  /** Applies pending events in order; a gap asks the server for what is missing. */
  private drain(): void {
    if (this.joining) return;
    this.pending.sort((a, b) => a.seq - b.seq);
    while (this.pending.length > 0 && this.pending[0]!.seq <= this.seq + 1) {
      const e = this.pending.shift()!;
      if (e.seq === this.seq + 1) this.apply(e);
    }
    if (this.pending.length > 0) void this.join();
  }

  close(): void {
    this.socket.close();
  }
}
