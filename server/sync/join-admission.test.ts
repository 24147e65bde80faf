import { describe, expect, it } from 'vitest';
import { JoinAdmission } from './join-admission.ts';

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
    // 10 joins/s: one slot per 100 ms, each refused client told a later one.
    expect(hints).toEqual([100, 200, 300, 400]);
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
});
