import { describe, expect, it } from 'vitest';
import { MoveBackoff, secondsToWait } from './move-backoff.ts';

/** No jitter: waits are exactly the base. */
const steady = () => new MoveBackoff(() => 0);

describe('backing off after OVERLOADED', () => {
  it('waits the server’s hint, then moves may go again', () => {
    const backoff = steady();
    expect(backoff.waitMs(0)).toBe(0);
    expect(backoff.refused(1000, 1500)).toBe(1500);
    expect(backoff.waitMs(2000)).toBe(500);
    expect(backoff.waitMs(2500)).toBe(0);
  });

  it('doubles the wait when refused again soon after, up to 30 s', () => {
    const backoff = steady();
    backoff.refused(0, 1000);
    expect(backoff.refused(1200, 1000)).toBe(2000);
    expect(backoff.refused(3300, 1000)).toBe(4000);
    let now = 7400;
    for (let i = 0; i < 10; i++) now += backoff.refused(now, 1000) + 10;
    expect(backoff.refused(now, 1000)).toBe(30_000);
  });

  it('does not lengthen the wait for moves sent before it began and refused together', () => {
    const backoff = steady();
    backoff.refused(0, 1000);
    expect(backoff.refused(10, 1000)).toBe(990);
    expect(backoff.refused(20, 1000)).toBe(980);
    expect(backoff.refused(1100, 1000)).toBe(2000);
  });

  it('starts again from the hint once a move is accepted, or long after the last refusal', () => {
    const backoff = steady();
    backoff.refused(0, 1000);
    backoff.refused(1100, 1000);
    backoff.accepted();
    expect(backoff.waitMs(1200)).toBe(0);
    expect(backoff.refused(1200, 1000)).toBe(1000);
    expect(backoff.refused(60_000, 1000)).toBe(1000);
  });

  it('spreads clients refused at once by up to a quarter of the wait', () => {
    expect(new MoveBackoff(() => 1).refused(0, 2000)).toBe(2500);
  });

  it('waits a second when the server gave no hint', () => {
    expect(steady().refused(0, undefined)).toBe(1000);
  });

  it('says how long in whole seconds, at least one', () => {
    expect(secondsToWait(200)).toBe('1 s');
    expect(secondsToWait(2400)).toBe('3 s');
  });
});
