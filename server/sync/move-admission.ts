/**
 * Admission control for card moves: under overload a move is refused at once (OVERLOADED, with a
 * retry hint) instead of queueing behind work the server cannot finish in time. A queued move reads
 * the card, then waits; the longer it waits, the likelier the card moved meanwhile and the move must
 * read again, so an unbounded queue does not merely grow, it wastes the server's work (the figures
 * are in docs/performance.md). Bounding the work keeps the answers quick and the accepted rate near
 * the most the server can sustain.
 *
 * `decideAdmission` is the rule (pure); `MoveAdmission` holds the counts it is decided on. A quiet
 * board (fewer than `busyBoardInFlight` moves in flight) is refused only at the process-wide bound,
 * which one board alone cannot reach: a board flooded with moves pays for the overload, not its
 * neighbours. The figures are measured (docs/performance.md).
 */

import { performance } from 'node:perf_hooks';

export type ShedReason = 'board_queue' | 'board_wait' | 'board_rate' | 'process_queue' | 'event_loop';

export interface AdmissionFacts {
  /** this board's moves admitted and not yet answered */
  boardInFlight: number;
  /** how long the oldest of them has been in flight, ms (0 when none) */
  boardOldestWaitMs: number;
  /** moves admitted and not yet answered, every board */
  processInFlight: number;
  /** how late the event loop has run its timers lately, ms: the least over the last 100 ms */
  eventLoopLagMs: number;
  /**
   * Set while the board is held to a rate (it overflowed its queue lately): the moves it may start
   * now. Null for a board that has not overflowed.
   */
  boardTokens: number | null;
}

export interface AdmissionLimits {
  /** below this many moves in flight a board is quiet: only the process bound refuses it */
  busyBoardInFlight: number;
  /** moves in flight per board at most (a queue this long drains in well under a second) */
  boardMaxInFlight: number;
  /** a busy board whose oldest move has waited this long takes no more until it drains */
  boardMaxWaitMs: number;
  /** moves in flight in the process at most (several boards at their bound) */
  processMaxInFlight: number;
  /** a busy board takes no more moves while the event loop runs this late */
  maxEventLoopLagMs: number;
  /**
   * A board that overflowed is then admitted at this share of the rate it completed moves while
   * overflowing, so the process keeps headroom for other boards instead of running flat out.
   */
  headroomShare: number;
  /** …for as long as it keeps offering more than that, and this long after its last refusal */
  floodMemoryMs: number;
  /**
   * While a board is held, its rate creeps up (5% a tenth of a second) while the event loop is busy
   * less than this share of the time, and down above it plus a tenth: the first measure of its rate
   * may be low (taken while the flood was starting) or stale (other boards went quiet).
   */
  targetLoopBusy: number;
}

export const MOVE_ADMISSION_LIMITS: AdmissionLimits = {
  // Two full groups (one being written, one waiting; move-commits.ts): a burst, not a backlog.
  busyBoardInFlight: 128,
  boardMaxInFlight: 256,
  boardMaxWaitMs: 300,
  processMaxInFlight: 1024,
  maxEventLoopLagMs: 50,
  headroomShare: 0.85,
  floodMemoryMs: 1000,
  targetLoopBusy: 0.8,
};

export type Admission = { admit: true } | { admit: false; reason: ShedReason; retryAfterMs: number };

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

/** Retry after about twice the wait that made us refuse: by then the queue has drained. */
function retryAfter(waitMs: number): number {
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.ceil((2 * waitMs) / 100) * 100));
}

export function decideAdmission(facts: AdmissionFacts, limits: AdmissionLimits): Admission {
  if (facts.processInFlight >= limits.processMaxInFlight)
    return { admit: false, reason: 'process_queue', retryAfterMs: retryAfter(facts.boardOldestWaitMs) };
  if (facts.boardTokens !== null && facts.boardTokens < 1)
    return { admit: false, reason: 'board_rate', retryAfterMs: retryAfter(facts.boardOldestWaitMs) };
  if (facts.boardInFlight < limits.busyBoardInFlight) return { admit: true };
  if (facts.boardInFlight >= limits.boardMaxInFlight)
    return { admit: false, reason: 'board_queue', retryAfterMs: retryAfter(facts.boardOldestWaitMs) };
  if (facts.boardOldestWaitMs >= limits.boardMaxWaitMs)
    return { admit: false, reason: 'board_wait', retryAfterMs: retryAfter(facts.boardOldestWaitMs) };
  if (facts.eventLoopLagMs >= limits.maxEventLoopLagMs)
    return { admit: false, reason: 'event_loop', retryAfterMs: retryAfter(facts.eventLoopLagMs) };
  return { admit: true };
}

export type Ticket =
  | { admit: true; release(): void }
  | { admit: false; reason: ShedReason; retryAfterMs: number };

const LAG_SAMPLE_MS = 20;
/** Lag counts when every sample of this many says so: a pause (GC, one big frame) is not overload. */
const LAG_WINDOW = 5;
/** A board's completed moves are counted over this window to know the rate it sustains. */
const RATE_WINDOW_MS = 1000;
/** …and are trusted as its rate only once they span this long (the start of a flood is a ramp). */
const MIN_RATE_SPAN_MS = 500;
/** A held board may start this long's worth of moves at once: smooth, not bursty. */
const TOKEN_BURST_MS = 20;

const ADJUST_EVERY_MS = 100;

interface HeldRate {
  perMs: number;
  tokens: number;
  refilledAt: number;
  adjustedAt: number;
  until: number;
}

interface BoardCounts {
  /** admitted time of each move in flight, in admission order (the first is the oldest) */
  inFlight: Map<number, number>;
  /** times its moves were answered, oldest first, over the last RATE_WINDOW_MS */
  completed: number[];
  held: HeldRate | null;
}

/**
 * The counts the rule is decided on: each admitted move holds a ticket until it is answered. The
 * event loop's lag is sampled only while some move is in flight (no timer on an idle server), and
 * counts only when it lasts: the least of the last five samples, 20 ms apart.
 *
 * A board refused for overflowing (queue, wait or event loop) is from then on held to
 * `headroomShare` of the rate it completed moves over the last second, by a token bucket, until it
 * has offered no more than that for `floodMemoryMs`. Without it a flooded board keeps the process
 * at full stretch, and every other board's moves wait behind its work in the event loop.
 */
export class MoveAdmission {
  private readonly boards = new Map<string, BoardCounts>();
  private inFlight = 0;
  private nextTicket = 0;
  private nextSweep = 0;
  private lagMs = 0;
  private lagSamples: number[] = [];
  /** share of the last 100 ms the event loop was busy (0–1), sampled with the lag */
  private loopBusyShare = 0;
  private busySamples: number[] = [];
  private sampler: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: AdmissionLimits = MOVE_ADMISSION_LIMITS,
    /** told each refusal's reason (for the metrics) */
    private readonly onShed: (reason: ShedReason) => void = () => {},
    private readonly clock: () => number = () => performance.now(),
    /** the event loop's busy share; tests give their own, the server samples it */
    private readonly loopBusy: (() => number) | null = null,
  ) {}

  enter(boardId: string): Ticket {
    const now = this.clock();
    if (now >= this.nextSweep) {
      this.sweep(now);
      this.nextSweep = now + RATE_WINDOW_MS;
    }
    const board = this.boards.get(boardId);
    const first = board?.inFlight.values().next();
    const oldest = first && !first.done ? now - first.value : 0;
    const held = board ? this.refill(board, now) : null;
    const decision = decideAdmission(
      {
        boardInFlight: board?.inFlight.size ?? 0,
        boardOldestWaitMs: oldest,
        processInFlight: this.inFlight,
        eventLoopLagMs: this.lagMs,
        boardTokens: held ? held.tokens : null,
      },
      this.limits,
    );
    if (!decision.admit) {
      if (board) this.overflowed(board, decision.reason, now);
      this.onShed(decision.reason);
      return decision;
    }
    if (held) held.tokens -= 1;
    const ticket = this.nextTicket++;
    const counts = board ?? { inFlight: new Map<number, number>(), completed: [], held: null };
    if (!board) this.boards.set(boardId, counts);
    counts.inFlight.set(ticket, now);
    if (this.inFlight++ === 0) this.startSampling();
    let released = false;
    return {
      admit: true,
      release: () => {
        if (released) return;
        released = true;
        counts.inFlight.delete(ticket);
        const at = this.clock();
        counts.completed.push(at);
        while (counts.completed.length > 0 && at - counts.completed[0]! > RATE_WINDOW_MS)
          counts.completed.shift();
        if (--this.inFlight === 0) this.stopSampling();
      },
    };
  }

  /** The board's held rate with its tokens brought up to now; null (and dropped) once it has expired. */
  private refill(board: BoardCounts, now: number): HeldRate | null {
    const held = board.held;
    if (!held) return null;
    if (now > held.until) {
      board.held = null;
      return null;
    }
    if (now - held.adjustedAt >= ADJUST_EVERY_MS) {
      const busy = this.loopBusy ? this.loopBusy() : this.loopBusyShare;
      if (busy < this.limits.targetLoopBusy) held.perMs *= 1.05;
      else if (busy > this.limits.targetLoopBusy + 0.1) held.perMs *= 0.95;
      held.adjustedAt = now;
    }
    const burst = Math.max(1, held.perMs * TOKEN_BURST_MS);
    held.tokens = Math.min(burst, held.tokens + (now - held.refilledAt) * held.perMs);
    held.refilledAt = now;
    return held;
  }

  private overflowed(board: BoardCounts, reason: ShedReason, now: number) {
    if (reason === 'process_queue') return;
    if (reason === 'board_rate') {
      if (board.held) board.held.until = now + this.limits.floodMemoryMs;
      return;
    }
    // Refused for its queue, its wait or the event loop: hold it to a share of what it completed.
    const done = board.completed.filter((t) => now - t <= RATE_WINDOW_MS);
    const span = done.length > 1 ? now - done[0]! : 0;
    if (span < MIN_RATE_SPAN_MS) return;
    const perMs = (this.limits.headroomShare * done.length) / span;
    board.held = {
      perMs,
      tokens: 0,
      refilledAt: now,
      adjustedAt: now,
      until: now + this.limits.floodMemoryMs,
    };
  }

  /** Drops boards with nothing in flight, not held and no move answered within the rate window. */
  private sweep(now: number) {
    for (const [boardId, board] of this.boards) {
      if (board.inFlight.size > 0 || (board.held && now <= board.held.until)) continue;
      const last = board.completed.at(-1);
      if (last === undefined || now - last > RATE_WINDOW_MS) this.boards.delete(boardId);
    }
  }

  private startSampling() {
    let expected = this.clock() + LAG_SAMPLE_MS;
    let mark = performance.eventLoopUtilization();
    this.sampler = setInterval(() => {
      const now = this.clock();
      this.lagSamples.push(Math.max(0, now - expected));
      if (this.lagSamples.length > LAG_WINDOW) this.lagSamples.shift();
      this.lagMs = this.lagSamples.length === LAG_WINDOW ? Math.min(...this.lagSamples) : 0;
      expected = now + LAG_SAMPLE_MS;
      const current = performance.eventLoopUtilization();
      this.busySamples.push(performance.eventLoopUtilization(current, mark).utilization);
      mark = current;
      if (this.busySamples.length > LAG_WINDOW) this.busySamples.shift();
      this.loopBusyShare = this.busySamples.reduce((a, b) => a + b, 0) / this.busySamples.length;
    }, LAG_SAMPLE_MS);
    this.sampler.unref();
  }

  private stopSampling() {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.lagMs = 0;
    this.lagSamples = [];
    this.loopBusyShare = 0;
    this.busySamples = [];
  }
}
