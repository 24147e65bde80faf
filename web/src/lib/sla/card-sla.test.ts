import { describe, expect, it } from 'vitest';
import { clockLine, levelOptions } from './card-sla.ts';
import { at, MIN, T0, view } from './clock-fixtures.ts';

describe('levelOptions', () => {
  it('numbers 1 to the matrix size, naming the ends', () => {
    expect(levelOptions(3).map((o) => o.label)).toEqual(['1 – highest', '2', '3 – lowest']);
    expect(levelOptions(4).map((o) => o.value)).toEqual([1, 2, 3, 4]);
  });
});

describe('clockLine', () => {
  it('counts down while on track, then amber past 75%, then over', () => {
    expect(clockLine(view(20), null, T0 + 5 * MIN)).toEqual({ tone: 'ok', text: '15m 00s left' });
    expect(clockLine(view(20), null, T0 + 16 * MIN)).toEqual({ tone: 'warning', text: '4m 00s left' });
    expect(clockLine(view(20), null, T0 + 23 * MIN)).toEqual({ tone: 'breached', text: '3m 00s over' });
  });
  it('reads met once met, whatever the time', () => {
    expect(clockLine(view(20, { metAt: at(MIN), status: 'met' }), null, T0 + 60 * MIN)).toEqual({
      tone: 'met',
      text: 'met',
    });
  });
  it('reads paused while waiting on someone or with no deadline', () => {
    expect(clockLine(view(20), 'customer', T0 + 30 * MIN).tone).toBe('paused');
    expect(clockLine(view(20, { breachAt: null, status: 'paused' }), null, T0).text).toBe('paused');
  });
});
