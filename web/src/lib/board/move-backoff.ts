/**
 * Backing off when the server sheds load: a move refused OVERLOADED comes with the server's retry
 * hint; until it has passed, the board sends no more moves (a drag shows the server's place and a
 * message instead). A refusal that follows soon after the last wait doubles it, up to 30 s, with
 * jitter so that many clients refused at once do not come back at once. An accepted move ends it.
 */

const MAX_WAIT_MS = 30_000;
const FALLBACK_WAIT_MS = 1000;

export class MoveBackoff {
  #until = 0;
  #lastWaitMs = 0;

  constructor(private readonly random: () => number = Math.random) {}

  /** The server refused a move as OVERLOADED at `now`; returns how long to wait (ms). */
  refused(now: number, retryAfterMs: number | undefined): number {
    // Moves sent before the wait began, refused together: one wait, not one more each.
    if (now < this.#until) return this.#until - now;
    const hint = retryAfterMs && retryAfterMs > 0 ? retryAfterMs : FALLBACK_WAIT_MS;
    // Refused again soon after the last wait ended: the server is still busy.
    const again = this.#lastWaitMs > 0 && now < this.#until + this.#lastWaitMs;
    const base = Math.min(MAX_WAIT_MS, again ? Math.max(hint, 2 * this.#lastWaitMs) : hint);
    const wait = Math.round(base * (1 + 0.25 * this.random()));
    this.#lastWaitMs = base;
    this.#until = now + wait;
    return wait;
  }

  /** A move was accepted: the server has room again. */
  accepted(): void {
    this.#until = 0;
    this.#lastWaitMs = 0;
  }

  /** How long until moves may be sent again (0: now). */
  waitMs(now: number): number {
    return Math.max(0, this.#until - now);
  }
}

/** "1 s", "12 s": how long to wait, as the user reads it. */
export function secondsToWait(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))} s`;
}
