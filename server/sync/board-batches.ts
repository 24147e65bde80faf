/**
 * Board events leave in batches: one frame per board carries every event committed since the last
 * frame. Sending a frame to 200 sockets costs 200 socket writes (and 200 parses on the far side)
 * whatever it holds, so on a busy board a frame should carry many moves. The gap between two frames
 * of a board is twice what sending the last one took (BATCH_GAP_FACTOR): a board with many watchers
 * and many moves batches more, a quiet board's event leaves at once (next turn of the event loop),
 * and broadcasting takes at most about a third of the event loop, leaving the rest for the moves.
 * Why 2 and not 4 or 0: docs/performance.md, "Batched broadcasts". A frame itself goes out a slice
 * of sockets at a time (sliced-send.ts), so a board with many watchers never holds the event loop long.
 *
 * Frames go out in sequence order. Two writers on one board commit in sequence order, but each
 * publishes after its own commit, so the later one can reach this instance first (and another
 * instance's event arrives through the log, later than this one's own). An event that arrives
 * ahead of one not seen yet waits for it, at most HOLD_MS; after that it goes anyway, and clients
 * fetch the gap themselves, as they do after any loss.
 */
export const BATCH_GAP_FACTOR = 2;
export const MAX_BATCH_GAP_MS = 50;
/** how long events wait for an earlier one that has not arrived */
export const HOLD_MS = 200;
/** below this many boards held, none is forgotten */
const MIN_SWEEP = 256;

interface Batch<E> {
  events: E[];
  /** when the board's next frame may leave */
  nextAt: number;
  /** a frame is being sent, is due, or is waiting for a missing event */
  scheduled: boolean;
  /** the highest sequence sent to the board's watchers here (or joined at); null before either */
  sent: number | null;
  /** since when events have waited for a missing earlier one */
  heldSince: number | null;
  /** sends the waiting events anyway once HOLD_MS is up */
  holdTimer: ReturnType<typeof setTimeout> | null;
}

export interface BoardBatchesDeps<E> {
  /** sends one frame; `done` when it has reached every watcher, with the time spent sending */
  send: (boardId: string, events: E[], done: (busyMs: number) => void) => void;
  /** whether this instance has sockets on the board: a watched board's place in the sequence is kept */
  watched?: (boardId: string) => boolean;
  now?: () => number;
}

export class BoardBatches<E extends { boardId: string; seq: number }> {
  private readonly boards = new Map<string, Batch<E>>();
  private sweepAt = MIN_SWEEP;
  private readonly send: BoardBatchesDeps<E>['send'];
  private readonly watched: (boardId: string) => boolean;
  private readonly now: () => number;

  constructor({ send, watched = () => false, now = () => performance.now() }: BoardBatchesDeps<E>) {
    this.send = send;
    this.watched = watched;
    this.now = now;
  }

  push(event: E): void {
    const board = this.board(event.boardId);
    board.events.push(event);
    // The event the held ones wait for: they go now (or when the gap between frames allows).
    if (board.holdTimer && board.sent !== null && event.seq === board.sent + 1) {
      clearTimeout(board.holdTimer);
      board.holdTimer = null;
      board.scheduled = false;
    }
    if (!board.scheduled) this.schedule(event.boardId, board);
  }

  /**
   * A socket joined the board at `seq` (its answer held everything up to it). A board this instance
   * has sent nothing on yet starts its order there, so the first events after the join go in order too.
   */
  joined(boardId: string, seq: number): void {
    const board = this.board(boardId);
    if (board.sent === null) board.sent = seq;
  }

  /** Each board's highest sequence sent here, for the boards this instance's sockets watch. */
  sentOnWatched(): [boardId: string, seq: number][] {
    return [...this.boards]
      .filter(([id, board]) => board.sent !== null && this.watched(id))
      .map(([id, board]) => [id, board.sent!]);
  }

  /** boards this instance holds state for (idle, unwatched ones are forgotten as more boards arrive) */
  get held(): number {
    return this.boards.size;
  }

  private board(boardId: string): Batch<E> {
    let board = this.boards.get(boardId);
    if (!board) {
      if (this.boards.size >= this.sweepAt) this.forgetIdle();
      board = { events: [], nextAt: 0, scheduled: false, sent: null, heldSince: null, holdTimer: null };
      this.boards.set(boardId, board);
    }
    return board;
  }

  /**
   * A board nobody here watches, with nothing to send and its gap passed, behaves as one never seen,
   * so it is dropped: swept when the map doubles, the sweep's cost is spread over the boards that grew it.
   */
  private forgetIdle() {
    const now = this.now();
    for (const [id, board] of this.boards)
      if (!board.scheduled && board.nextAt <= now && !this.watched(id)) this.boards.delete(id);
    this.sweepAt = Math.max(MIN_SWEEP, 2 * this.boards.size);
  }

  private schedule(boardId: string, board: Batch<E>) {
    board.scheduled = true;
    const wait = board.nextAt - this.now();
    if (wait <= 0) setImmediate(() => this.flush(boardId, board));
    else setTimeout(() => this.flush(boardId, board), wait);
  }

  private flush(boardId: string, board: Batch<E>) {
    const now = this.now();
    const { ready, waiting } = this.ready(board, now);
    board.events = waiting;
    board.heldSince = waiting.length > 0 ? (board.heldSince ?? now) : null;
    if (ready.length === 0) {
      board.holdTimer = setTimeout(
        () => {
          board.holdTimer = null;
          this.flush(boardId, board);
        },
        board.heldSince! + HOLD_MS - now,
      );
      return;
    }
    board.sent = Math.max(board.sent ?? 0, ready.at(-1)!.seq);
    // The board's next frame waits for this one to reach every watcher, so frames stay in order.
    this.send(boardId, ready, (took) => {
      board.nextAt = this.now() + Math.min(MAX_BATCH_GAP_MS, took * BATCH_GAP_FACTOR);
      board.scheduled = false;
      if (board.events.length > 0) this.schedule(boardId, board);
    });
  }

  /**
   * What may go now, in sequence order: events at or below what was sent (late, or sent again after a
   * lost connection) and those following on from it. The rest waits behind the missing event, unless
   * it has waited HOLD_MS already, or the board's place in the sequence is not known.
   */
  private ready(board: Batch<E>, now: number): { ready: E[]; waiting: E[] } {
    // Sorted, and each sequence once (an event sent again after a lost connection may be waiting already).
    const events = board.events
      .sort((a, b) => a.seq - b.seq)
      .filter((e, i, sorted) => i === 0 || sorted[i - 1]!.seq !== e.seq);
    if (board.sent === null || (board.heldSince !== null && now - board.heldSince >= HOLD_MS))
      return { ready: events, waiting: [] };
    let next = board.sent + 1;
    let i = 0;
    for (; i < events.length && events[i]!.seq <= next; i++) next = Math.max(next, events[i]!.seq + 1);
    return { ready: events.slice(0, i), waiting: events.slice(i) };
  }
}
