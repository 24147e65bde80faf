import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JOIN_LIMITS, JoinAdmission } from './join-admission.ts';

const limits = { ratePerSecond: 10, burst: 5, maxInFlight: 3, maxRetryMs: 5000 };
/** A clock the test moves; no jitter. */
function admission() {
  const clock = { now: 0 };
  return {
    clock,
    joins: new JoinAdmission(
      limits,
      () => clock.now,
      () => 0,
    ),
  };
}

describe('admitting board joins', () => {
  it('admits a burst, then refuses with retry hints one admission slot apart', () => {
    const { joins } = admission();
    const tickets = Array.from({ length: 3 }, () => joins.enter());
    expect(tickets.every((t) => t.admit)).toBe(true);
    for (const t of tickets) if (t.admit) t.release();
    expect([joins.enter(), joins.enter()].every((t) => t.admit)).toBe(true);
    const hints = Array.from({ length: 4 }, () => joins.enter()).map((t) => (t.admit ? 0 : t.retryAfterMs));
    // 10 joins/s: a slot a little over 100 ms (room for clients a little early), each one a later one.
    expect(hints).toEqual([110, 220, 330, 440]);
  });

  it('never has more joins in flight than its bound, even with tokens left', () => {
    const { joins } = admission();
    const held = [joins.enter(), joins.enter(), joins.enter()];
    expect(joins.enter().admit).toBe(false);
    if (held[0]!.admit) held[0]!.release();
    expect(joins.enter().admit).toBe(true);
  });

  it('admits again at the rate once the hinted time has come', () => {
    const { clock, joins } = admission();
    for (let i = 0; i < 5; i++) {
      const t = joins.enter();
      if (t.admit) t.release();
    }
    const refused = joins.enter();
    expect(refused.admit).toBe(false);
    clock.now += refused.admit ? 0 : refused.retryAfterMs;
    expect(joins.enter().admit).toBe(true);
  });

  it('never hints longer than its longest wait, however many are refused', () => {
    const { joins } = admission();
    const hints = Array.from({ length: 500 }, () => joins.enter()).map((t) => (t.admit ? 0 : t.retryAfterMs));
    expect(Math.max(...hints)).toBeLessThanOrEqual(limits.maxRetryMs);
  });

  it('spreads the clients it cannot promise a slot over the second half of its longest wait', () => {
    const clock = { now: 0 };
    let draw = 0;
    const draws = [0, 0.5, 0.999];
    const joins = new JoinAdmission(
      limits,
      () => clock.now,
      () => draws[draw++ % draws.length]!,
    );
    const hints = Array.from({ length: 600 }, () => joins.enter()).flatMap((t) =>
      t.admit ? [] : [t.retryAfterMs],
    );
    // 10 joins/s for at most 5 s: about 50 promised slots; the others beyond them, spread.
    const overflow = hints.slice(60);
    expect(Math.min(...overflow)).toBeGreaterThanOrEqual(limits.maxRetryMs / 2);
    expect(Math.max(...overflow)).toBeLessThanOrEqual(limits.maxRetryMs + 1000);
    expect(new Set(overflow.map((h) => Math.floor(h / 1000))).size).toBeGreaterThanOrEqual(3);
  });

  it('in a reconnect storm, a client is refused about once and then admitted at its slot', () => {
    // 2,000 clients arrive within a second (the web app's first reconnect delay), each admitted join
    // takes `joinMs`, and each refused client comes back when its hint says (and the hint's own
    // jitter makes some come back just before or after another). Every client must get in, and
    // nearly all at the first slot they were told: sent to the back of the line again, a client
    // waited the whole storm again, up to 20 times over.
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 20 }), (seed, joinMs) => {
        const random = seeded(seed);
        const clock = { now: 0 };
        const joins = new JoinAdmission(JOIN_LIMITS, () => clock.now, random);
        const refusals = storm(joins, clock, 2000, joinMs, random);
        const total = refusals.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(2000 * 1.1);
        expect(Math.max(...refusals)).toBeLessThanOrEqual(5);
      }),
      { numRuns: 10 },
    );
  });
});

/** A small seeded generator (mulberry32): the same storm for the same seed, so a failure replays. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs a storm on the test's clock; how many times each client was refused before it got in. */
function storm(
  joins: JoinAdmission,
  clock: { now: number },
  clients: number,
  joinMs: number,
  random: () => number,
) {
  const refusals = new Array<number>(clients).fill(0);
  // What happens next, kept in time order: a client's join frame, or an admitted join ending.
  const due: { at: number; client?: number; release?: () => void }[] = [];
  const add = (e: (typeof due)[number]) => {
    let i = due.length;
    while (i > 0 && due[i - 1]!.at > e.at) i--;
    due.splice(i, 0, e);
  };
  for (let c = 0; c < clients; c++) add({ at: 500 + random() * 1000, client: c });
  for (let e = due.shift(); e; e = due.shift()) {
    clock.now = e.at;
    if (e.release) {
      e.release();
      continue;
    }
    const ticket = joins.enter();
    if (ticket.admit) add({ at: e.at + joinMs, release: ticket.release });
    else {
      refusals[e.client!]!++;
      add({ at: e.at + ticket.retryAfterMs, client: e.client });
    }
  }
  return refusals;
}
