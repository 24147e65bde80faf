import { describe, expect, it } from 'vitest';
import {
  decideRecurringProblem,
  problemPriority,
  type RecurrenceConfig,
  windowStart,
} from './recurring-incidents.ts';

const config: RecurrenceConfig = {
  enabled: true,
  threshold: 3,
  windowMinutes: 60,
  matchBy: ['fingerprint', 'service'],
};
const incident = { title: 'Checkout latency high', fingerprint: 'c6ea', service: 'checkout' };

describe('problems from recurring incidents', () => {
  it('raises nothing below the threshold', () => {
    expect(
      decideRecurringProblem(config, { incident, counts: { fingerprint: 2, service: 2 }, openProblem: {} }),
    ).toBeNull();
  });

  it('raises a known-error problem for the fingerprint when it recurs N times in the window', () => {
    const d = decideRecurringProblem(config, {
      incident,
      counts: { fingerprint: 3, service: 3 },
      openProblem: {},
    });
    expect(d).toMatchObject({
      dedupKey: 'recurring:fingerprint:c6ea',
      reason: 'threshold',
      matchBy: 'fingerprint',
    });
    expect(d?.title).toBe('Recurring incident: Checkout latency high');
    expect(d?.description).toMatch(/root cause/);
  });

  it('falls back to the service when different alerts keep hitting one service', () => {
    const d = decideRecurringProblem(config, {
      incident,
      counts: { fingerprint: 1, service: 4 },
      openProblem: {},
    });
    expect(d).toMatchObject({
      dedupKey: 'recurring:service:checkout',
      title: 'Recurring incidents on checkout',
    });
  });

  it('keeps counting on an open problem even below the threshold', () => {
    const d = decideRecurringProblem(config, {
      incident,
      counts: { fingerprint: 1 },
      openProblem: { fingerprint: true },
    });
    expect(d).toMatchObject({ reason: 'open_problem', dedupKey: 'recurring:fingerprint:c6ea' });
  });

  it('does nothing when disabled or when the incident has neither fingerprint nor service', () => {
    expect(
      decideRecurringProblem(
        { ...config, enabled: false },
        { incident, counts: { fingerprint: 9 }, openProblem: {} },
      ),
    ).toBeNull();
    expect(
      decideRecurringProblem(config, { incident: { title: 'x' }, counts: {}, openProblem: {} }),
    ).toBeNull();
  });

  it('measures the window back from now', () => {
    expect(windowStart(new Date('2026-01-01T01:00:00Z'), config).toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });
});

describe('a problem inherits the priority of its incidents', () => {
  it('three critical incidents raise a critical problem, not a medium one', () => {
    expect(problemPriority(null, ['critical', 'critical', 'critical'])).toBe('critical');
  });

  it('takes the highest of mixed incidents', () => {
    expect(problemPriority(null, ['low', 'high', 'medium'])).toBe('high');
  });

  it('rises when a more urgent incident is linked to an open problem', () => {
    expect(problemPriority('medium', ['critical'])).toBe('critical');
  });

  it('is never lowered by a less urgent incident', () => {
    expect(problemPriority('high', ['low'])).toBe('high');
  });

  it('has nothing to go by without incidents', () => {
    expect(problemPriority(null, [])).toBeNull();
    expect(problemPriority('low', [])).toBe('low');
  });
});
