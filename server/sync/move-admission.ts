/**
 * Admission control for card moves: under overload a move is refused at once (OVERLOADED, with a
 * retry hint) instead of queueing behind work the server cannot finish in time. A queued move reads
 * the card, then waits; the longer it waits, the likelier the card moved meanwhile and the move must
 * read again, so an unbounded queue does not merely grow, it wastes the server's work (the figures
 * are in docs/performance.md). Bounding the work keeps the answers quick and the accepted rate near
 * the most the server can sustain.
 *
 * Each person (or API token) also has an allowance of moves per second on each board (a token
 * bucket: `movesPerSecond`, with `moveBurst` at once). The bounds on waiting moves alone let one
 * script flooding a board take every core as long as it keeps few waiting, and what its accepted
 * moves cost, every other board pays. The allowance is a person's, not the board's, so that no one,
 * a viewer or an outsider sending moves that are refused, can use up what the board's team moves with.
 *
 * `decideAdmission` is the rule (pure); `MoveAdmission` holds the counts it is decided on. Within
 * their allowance, a quiet board's movers (fewer than `busyBoardInFlight` moves in flight) are
 * refused only at the process-wide bound, which one board alone cannot reach: a board flooded with
 * moves pays for the overload, not its neighbours. The figures are measured (docs/performance.md).
 */

export type ShedReason = 'person_rate' | 'board_queue' | 'board_wait' | 'process_queue' | 'event_loop';

export interface AdmissionFacts {
  /** this board's moves admitted and not yet answered */
  boardInFlight: number;
  /** how long the oldest of them has been in flight, ms (0 when none) */
  boardOldestWaitMs: number;
  /** moves admitted and not yet answered, every board */
  processInFlight: number;
  /** how late the event loop has run its timers lately, ms: the least over the last 100 ms */
  eventLoopLagMs: number;
  /** moves this person may still make on this board now (a token bucket's level; fractions refill) */
  allowance: number;
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
  /** moves per second one person may keep up on one board (their allowance refills at this rate) */
  movesPerSecond: number;
  /** moves one person may make at once above that rate (their allowance's top) */
  moveBurst: number;
}

export const MOVE_ADMISSION_LIMITS: AdmissionLimits = {
  // Two full groups (one being written, one waiting; move-commits.ts): a burst, not a backlog.
  busyBoardInFlight: 128,
  boardMaxInFlight: 256,
  boardMaxWaitMs: 300,
  processMaxInFlight: 1024,
  maxEventLoopLagMs: 50,
  movesPerSecond: 100,
  moveBurst: 200,
};

export type Admission = { admit: true } | { admit: false; reason: ShedReason; retryAfterMs: number };

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;

function clampRetry(ms: number): number {
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, Math.ceil(ms / 100) * 100));
}

/** Retry after about twice the wait that made us refuse: by then the queue has drained. */
function retryAfter(waitMs: number): number {
  return clampRetry(2 * waitMs);
}

export function decideAdmission(facts: AdmissionFacts, limits: AdmissionLimits): Admission {
  if (facts.processInFlight >= limits.processMaxInFlight)
    return { admit: false, reason: 'process_queue', retryAfterMs: retryAfter(facts.boardOldestWaitMs) };
  if (facts.allowance < 1) {
    const refillMs = ((1 - facts.allowance) / limits.movesPerSecond) * 1000;
    return { admit: false, reason: 'person_rate', retryAfterMs: clampRetry(refillMs) };
  }
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
/** Allowances remembered before the first sweep of refilled ones. */
const MIN_SWEEP = 1024;

/**
 * The counts the rule is decided on: each admitted move holds a ticket until it is answered. The
 * event loop's lag is sampled only while some move is in flight (no timer on an idle server), and
 * counts only when it lasts: the least of the last five samples, 20 ms apart.
 */
export class MoveAdmission {
  /** boardId → admitted time of each move in flight, in admission order (the first is the oldest) */
  private readonly boards = new Map<string, Map<number, number>>();
  /** board and mover → their allowance when last spent, and when; one absent is whole (the burst) */
  private readonly allowances = new Map<string, { level: number; at: number }>();
  private inFlight = 0;
  private nextTicket = 0;
  private lagMs = 0;
  private lagSamples: number[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private sweepAt = MIN_SWEEP;

  constructor(
    private readonly limits: AdmissionLimits = MOVE_ADMISSION_LIMITS,
    /** told each refusal's reason (for the metrics) */
    private readonly onShed: (reason: ShedReason) => void = () => {},
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** `mover` names who moves (a user id, or a plugin's label): each has their own allowance per board */
  enter(boardId: string, mover: string): Ticket {
    const board = this.boards.get(boardId);
    const now = this.clock();
    const first = board?.values().next();
    const oldest = first && !first.done ? now - first.value : 0;
    const key = `${boardId} ${mover}`;
    const allowance = this.allowanceOf(key, now);
    const decision = decideAdmission(
      {
        boardInFlight: board?.size ?? 0,
        boardOldestWaitMs: oldest,
        processInFlight: this.inFlight,
        eventLoopLagMs: this.lagMs,
        allowance,
      },
      this.limits,
    );
    if (!decision.admit) {
      this.onShed(decision.reason);
      return decision;
    }
    this.spend(key, allowance, now);
    const ticket = this.nextTicket++;
    const moves = board ?? new Map<number, number>();
    if (!board) this.boards.set(boardId, moves);
    moves.set(ticket, now);
    if (this.inFlight++ === 0) this.startSampling();
    let released = false;
    return {
      admit: true,
      release: () => {
        if (released) return;
        released = true;
        moves.delete(ticket);
        if (moves.size === 0) this.boards.delete(boardId);
        if (--this.inFlight === 0) this.stopSampling();
      },
    };
  }

  private allowanceOf(key: string, now: number): number {
    const spent = this.allowances.get(key);
    if (!spent) return this.limits.moveBurst;
    const refilled = spent.level + ((now - spent.at) / 1000) * this.limits.movesPerSecond;
    return Math.min(this.limits.moveBurst, refilled);
  }

  private spend(key: string, allowance: number, now: number) {
    this.allowances.set(key, { level: allowance - 1, at: now });
    // Allowances that have refilled are forgotten, so the map holds only recent movers:
    // swept when it doubles, the sweep's cost is spread over the moves that grew it.
    if (this.allowances.size > this.sweepAt) {
      for (const id of this.allowances.keys())
        if (this.allowanceOf(id, now) >= this.limits.moveBurst) this.allowances.delete(id);
      this.sweepAt = Math.max(MIN_SWEEP, 2 * this.allowances.size);
    }
  }

  private startSampling() {
    let expected = this.clock() + LAG_SAMPLE_MS;
    this.sampler = setInterval(() => {
      const now = this.clock();
      this.lagSamples.push(Math.max(0, now - expected));
      if (this.lagSamples.length > LAG_WINDOW) this.lagSamples.shift();
      this.lagMs = this.lagSamples.length === LAG_WINDOW ? Math.min(...this.lagSamples) : 0;
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    this.sampler.unref();
  }

  private stopSampling() {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.lagMs = 0;
    this.lagSamples = [];
  }
}
