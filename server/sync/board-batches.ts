/**
 * Board events leave in batches: one frame per board carries every event committed since the last
 * frame. Sending a frame to 200 sockets costs 200 socket writes (and 200 parses on the far side)
 * whatever it holds, so on a busy board a frame should carry many moves. The gap between two frames
 * of a board is twice what sending the last one took (BATCH_GAP_FACTOR): a board with many watchers
 * and many moves batches more, a quiet board's event leaves at once (next turn of the event loop),
 * and broadcasting takes at most about a third of the event loop, leaving the rest for the moves.
 * Why 2 and not 4 or 0: docs/performance.md, "Batched broadcasts". A frame itself goes out a slice
 * of sockets at a time (sliced-send.ts), so a board with many watchers never holds the event loop long.
 */
export const BATCH_GAP_FACTOR = 2;
export const MAX_BATCH_GAP_MS = 50;
/** below this many boards held, none is forgotten */
const MIN_SWEEP = 256;

interface Batch<E> {
  events: E[];
  /** when the board's next frame may leave */
  nextAt: number;
  /** a frame is being sent or is due */
  scheduled: boolean;
}

export interface BoardBatchesDeps<E> {
  /** sends one frame; `done` when it has reached every watcher, with the time spent sending */
  send: (boardId: string, events: E[], done: (busyMs: number) => void) => void;
  now?: () => number;
}

export class BoardBatches<E extends { boardId: string; seq: number }> {
  private readonly boards = new Map<string, Batch<E>>();
  private sweepAt = MIN_SWEEP;
  private readonly send: BoardBatchesDeps<E>['send'];
  private readonly now: () => number;

  constructor({ send, now = () => performance.now() }: BoardBatchesDeps<E>) {
    this.send = send;
    this.now = now;
  }

  push(event: E): void {
    let board = this.boards.get(event.boardId);
    if (!board) {
      if (this.boards.size >= this.sweepAt) this.forgetIdle();
      board = { events: [], nextAt: 0, scheduled: false };
      this.boards.set(event.boardId, board);
    }
    board.events.push(event);
    if (!board.scheduled) this.schedule(event.boardId, board);
  }

  /** boards this instance holds a batch for (idle ones are forgotten as more boards arrive) */
  get held(): number {
    return this.boards.size;
  }

  /**
   * A board with nothing to send whose gap has passed behaves as one never seen, so it is dropped:
   * swept when the map doubles, the sweep's cost is spread over the boards that grew it.
   */
  private forgetIdle() {
    const now = this.now();
    for (const [id, board] of this.boards)
      if (!board.scheduled && board.nextAt <= now) this.boards.delete(id);
    this.sweepAt = Math.max(MIN_SWEEP, 2 * this.boards.size);
  }

  private schedule(boardId: string, board: Batch<E>) {
    board.scheduled = true;
    const wait = board.nextAt - this.now();
    if (wait <= 0) setImmediate(() => this.flush(boardId, board));
    else setTimeout(() => this.flush(boardId, board), wait);
  }

  private flush(boardId: string, board: Batch<E>) {
    // Commits finish in seq order per board almost always; sorting makes the frame ordered always.
    const events = board.events.sort((a, b) => a.seq - b.seq);
    board.events = [];
    // The board's next frame waits for this one to reach every watcher, so frames stay in order.
    this.send(boardId, events, (took) => {
      board.nextAt = this.now() + Math.min(MAX_BATCH_GAP_MS, took * BATCH_GAP_FACTOR);
      board.scheduled = false;
      if (board.events.length > 0) this.schedule(boardId, board);
    });
  }
}
