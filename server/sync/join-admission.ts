/**
 * Admission control for board joins. After a deploy or a network blip every client reconnects and
 * joins at once; each join reads the board (catch-up or snapshot), so an unbounded storm would take
 * the event loop and the database from the moves of boards already joined. Joins are admitted at a
 * bounded rate per instance (a token bucket) and a bounded number at a time (few: each holds database
 * connections the moves need too); the rest are refused at once (OVERLOADED) with a retry hint. The
 * hints hand out the coming admission slots in turn, so the refused clients return spread over time
 * at the rate joins are really admitted (the configured rate, or fewer when joins take long) instead
 * of all together again.
 */

export interface JoinLimits {
  /** joins admitted per second, on average */
  ratePerSecond: number;
  /** joins admitted at once after a quiet spell */
  burst: number;
  /** joins being answered at the same time, at most */
  maxInFlight: number;
  /** the longest retry hint; beyond it refused clients are spread at random over its second half */
  maxRetryMs: number;
}

export const JOIN_LIMITS: JoinLimits = { ratePerSecond: 100, burst: 50, maxInFlight: 8, maxRetryMs: 30_000 };

/** How much wider than one token's time an admission slot is. */
const SLOT_SLACK = 1.1;

export type JoinTicket = { admit: true; release(): void } | { admit: false; retryAfterMs: number };

export class JoinAdmission {
  private tokens: number;
  private refilledAt: number;
  private inFlight = 0;
  /** the time of the last admission slot already promised in a retry hint */
  private promisedUntil = 0;
  /** how long a join takes, averaged over the recent ones, ms */
  private joinMs = 0;

  constructor(
    private readonly limits: JoinLimits = JOIN_LIMITS,
    private readonly clock: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = limits.burst;
    this.refilledAt = clock();
  }

  enter(): JoinTicket {
    const now = this.clock();
    const perMs = this.limits.ratePerSecond / 1000;
    this.tokens = Math.min(this.limits.burst, this.tokens + (now - this.refilledAt) * perMs);
    this.refilledAt = now;
    // Slots a little wider than the rate: the bucket then gains a token now and then, for a client
    // that comes back a little early or just after another. Slots exactly at the rate let such a
    // client find none, and be sent to the back of the line again, up to 20 times in a storm
    // (docs/performance.md). Half again as long as a join takes per place in flight: clients coming
    // back at their slot find a place free.
    const slotMs = Math.max(SLOT_SLACK / perMs, (1.5 * this.joinMs) / this.limits.maxInFlight);
    if (this.tokens >= 1 && this.inFlight < this.limits.maxInFlight) {
      this.tokens -= 1;
      // The line of promised clients is one shorter (this one was promised a slot, or took one).
      this.promisedUntil = Math.max(now, this.promisedUntil - slotMs);
      this.inFlight++;
      let released = false;
      return {
        admit: true,
        release: () => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.joinMs += (this.clock() - now - this.joinMs) / 8;
        },
      };
    }
    // The next free slot after those already promised; a little jitter within the slot.
    this.promisedUntil = Math.max(this.promisedUntil, now) + slotMs;
    let wait = this.promisedUntil - now;
    if (wait > this.limits.maxRetryMs) {
      // Not promised a slot: spread over the second half of the longest hint. Spread over its last
      // second, a storm's overflow came back together as a second storm (docs/performance.md).
      this.promisedUntil -= slotMs;
      wait = this.limits.maxRetryMs * (1 - this.random() / 2);
    }
    return { admit: false, retryAfterMs: Math.max(1, Math.ceil(wait + slotMs * this.random())) };
  }
}
