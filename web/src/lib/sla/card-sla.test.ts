import { describe, expect, it } from 'vitest';
import type { SlaClockView } from '../../../../protocol/sla.ts';
import { clockLine, levelOptions } from './card-sla.ts';

const T0 = Date.parse('2026-12-05T09:00:00Z');
const min = 60_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A running clock started at T0 with a target of `minutes`. */
function view(minutes: number, over: Partial<SlaClockView> = {}): SlaClockView {
  return {
    targetMinutes: minutes,
    elapsedMs: 0,
    leftMs: minutes * min,
    warningAt: at(minutes * min * 0.75),
    breachAt: at(minutes * min),
    metAt: null,
    status: 'ok',
    ...over,
  };
}

describe('levelOptions', () => {
  it('numbers 1 to the matrix size, naming the ends', () => {
    expect(levelOptions(3).map((o) => o.label)).toEqual(['1 – highest', '2', '3 – lowest']);
    expect(levelOptions(4).map((o) => o.value)).toEqual([1, 2, 3, 4]);
  });
});

describe('clockLine', () => {
  it('counts down while on track, then amber past 75%, then over', () => {
    expect(clockLine(view(20), null, T0 + 5 * min)).toEqual({ tone: 'ok', text: '15m 00s left' });
    expect(clockLine(view(20), null, T0 + 16 * min)).toEqual({ tone: 'warning', text: '4m 00s left' });
    expect(clockLine(view(20), null, T0 + 23 * min)).toEqual({ tone: 'breached', text: '3m 00s over' });
  });
  it('reads met once met, whatever the time', () => {
    expect(clockLine(view(20, { metAt: at(min), status: 'met' }), null, T0 + 60 * min)).toEqual({
      tone: 'met',
      text: 'met',
    });
  });
  it('reads paused while waiting on someone or with no deadline', () => {
    expect(clockLine(view(20), 'customer', T0 + 30 * min).tone).toBe('paused');
    expect(clockLine(view(20, { breachAt: null, status: 'paused' }), null, T0).text).toBe('paused');
  });
});
