import { describe, expect, it } from 'vitest';
import type { CardSla } from '../../../../protocol/sla.ts';
import { at, MIN, T0, view } from './clock-fixtures.ts';
import { formatSpan, slaChip } from './sla-chip.ts';

function clock(over: Partial<CardSla> = {}): CardSla {
  return {
    cardId: '00000000-0000-4000-8000-000000000001',
    kind: 'incident',
    tier: 'critical',
    impact: null,
    urgency: null,
    waiting: null,
    startedAt: at(0),
    resolvedAt: null,
    response: view(20),
    resolution: view(240),
    nextDueAt: at(15 * MIN),
    ...over,
  };
}

describe('formatSpan', () => {
  it('shows the two largest units', () => {
    expect(formatSpan(45_000)).toBe('45s');
    expect(formatSpan(4 * MIN + 30_000)).toBe('4m 30s');
    expect(formatSpan(2 * 60 * MIN + 5 * MIN + 59_000)).toBe('2h 05m');
    expect(formatSpan(27 * 60 * MIN)).toBe('1d 3h');
    expect(formatSpan(-5)).toBe('0s');
  });
});

describe('slaChip', () => {
  it('counts down to the response target, green until 75% is used', () => {
    expect(slaChip(clock(), T0 + 10 * MIN)).toMatchObject({
      which: 'response',
      tone: 'ok',
      label: '10m 00s',
    });
    expect(slaChip(clock(), T0 + 14 * MIN + 59_000)).toMatchObject({ tone: 'ok', label: '5m 01s' });
  });

  it('turns amber at the warning instant and red at the deadline, with no word from the server', () => {
    expect(slaChip(clock(), T0 + 15 * MIN)).toMatchObject({ tone: 'warning', label: '5m 00s' });
    expect(slaChip(clock(), T0 + 20 * MIN)).toMatchObject({ tone: 'breached', label: '0s over' });
    const late = slaChip(clock(), T0 + 23 * MIN);
    expect(late).toMatchObject({ tone: 'breached', label: '3m 00s over' });
    expect(late?.title).toContain('Response breached 3m 00s ago');
  });

  it("follows the server's status when it is ahead of the local clock", () => {
    const warned = clock({ response: view(20, { status: 'warning' }) });
    expect(slaChip(warned, T0)).toMatchObject({ tone: 'warning' });
    const breached = clock({ response: view(20, { status: 'breached' }) });
    expect(slaChip(breached, T0)).toMatchObject({ tone: 'breached' });
  });

  it('once the response is met, shows the resolution', () => {
    const responded = clock({ response: view(20, { status: 'met', metAt: at(5 * MIN) }) });
    expect(slaChip(responded, T0 + 60 * MIN)).toMatchObject({
      which: 'resolution',
      tone: 'ok',
      label: '3h 00m',
    });
    expect(slaChip(responded, T0 + 181 * MIN)).toMatchObject({ which: 'resolution', tone: 'warning' });
  });

  it('a paused clock says paused, whatever the time', () => {
    const paused = clock({
      waiting: 'customer',
      response: view(20, { status: 'paused', warningAt: null, breachAt: null }),
    });
    const chip = slaChip(paused, T0 + 999 * MIN);
    expect(chip).toMatchObject({ tone: 'paused', label: 'paused' });
    expect(chip?.title).toContain('waiting on the customer');
  });

  it('no chip once both clocks are met', () => {
    const done = clock({
      response: view(20, { status: 'met', metAt: at(MIN) }),
      resolution: view(240, { status: 'met', metAt: at(9 * MIN) }),
    });
    expect(slaChip(done, T0 + 10 * MIN)).toBeNull();
  });
});
