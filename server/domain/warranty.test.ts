import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess, checkTarget, latest, suggestedMeasure, summarise } from './warranty.ts';

const atLeast = (value: number) => ({ comparison: 'gte' as const, value });
const atMost = (value: number) => ({ comparison: 'lte' as const, value });
const HOUR = 3_600_000;
const wentLive = new Date('2027-01-10T09:00:00Z');
const hoursIn = (hours: number) => new Date(wentLive.getTime() + hours * HOUR);

describe('a warranty requirement against what was measured', () => {
  it('availability ≥ 99.9 %: met at 99.95, met exactly at 99.9, not met at 99.8', () => {
    expect(assess(atLeast(99.9), 99.95)).toBe('met');
    expect(assess(atLeast(99.9), 99.9)).toBe('met');
    expect(assess(atLeast(99.9), 99.8)).toBe('not_met');
  });

  it('p95 latency ≤ 300 ms: met at 280, not met at 301', () => {
    expect(assess(atMost(300), 280)).toBe('met');
    expect(assess(atMost(300), 300)).toBe('met');
    expect(assess(atMost(300), 301)).toBe('not_met');
  });

  it('nothing measured yet is not measured, whatever the target', () => {
    expect(assess(atLeast(99.9), null)).toBe('not_measured');
    expect(assess(atMost(1), null)).toBe('not_measured');
  });

  it('exactly one side of the target is met (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        (t, m) => {
          const up = assess(atLeast(t), m);
          const down = assess(atMost(t), m);
          if (m === t) expect([up, down]).toEqual(['met', 'met']);
          else expect([up, down].filter((s) => s === 'met')).toHaveLength(1);
        },
      ),
    );
  });

  it('the latest measurement counts; measured at once, the later recorded one', () => {
    const m = (measuredAt: string, recordedAt: string, value: number) => ({ measuredAt, recordedAt, value });
    expect(latest([])).toBeNull();
    expect(
      latest([
        m('2027-01-11T00:00:00Z', '2027-01-12T00:00:00Z', 1),
        m('2027-01-12T00:00:00Z', '2027-01-12T00:00:00Z', 2),
      ])?.value,
    ).toBe(2);
    expect(
      latest([
        m('2027-01-12T00:00:00Z', '2027-01-12T01:00:00Z', 3),
        m('2027-01-12T00:00:00Z', '2027-01-12T00:30:00Z', 4),
      ])?.value,
    ).toBe(3);
  });

  it('sums the statuses for the hyper-care panel and the exit', () => {
    expect(summarise(['met', 'not_met', 'not_measured', 'met'])).toEqual({
      met: 2,
      notMet: 1,
      notMeasured: 1,
    });
  });
});

describe('targets that cannot be measured against are refused, naming the field', () => {
  it('a percentage outside 0–100', () => {
    expect(checkTarget('availability', { comparison: 'gte', value: 100.1, unit: '%' })).toEqual({
      field: 'value',
      message: 'a percentage is between 0 and 100',
    });
    expect(checkTarget('availability', { comparison: 'gte', value: 99.9, unit: '%' })).toBeNull();
  });

  it('a negative duration or count', () => {
    expect(checkTarget('continuity', { comparison: 'lte', value: -1, unit: 'h' })?.field).toBe('value');
    expect(checkTarget('capacity', { comparison: 'gte', value: 5000, unit: 'users' })).toBeNull();
  });
});

describe('availability suggested from hyper-care data', () => {
  const availability = { category: 'availability' as const, target: { unit: '%' } };

  it('no outage over the window so far: 100 %', () => {
    expect(
      suggestedMeasure(availability, { startedAt: wentLive, until: hoursIn(24), outageSeconds: [] }),
    ).toEqual({
      value: 100,
      basis: '0 min down in 0 linked outages over 24 h of hyper-care',
    });
  });

  it('a window shorter than an hour is told in minutes', () => {
    const s = suggestedMeasure(availability, {
      startedAt: wentLive,
      until: new Date(wentLive.getTime() + 20 * 60_000),
      outageSeconds: [60],
    });
    expect(s).toEqual({ value: 95, basis: '1 min down in 1 linked outage over 20 min of hyper-care' });
  });

  it('one 36-minute outage in 10 days: 99.75 %', () => {
    const s = suggestedMeasure(availability, {
      startedAt: wentLive,
      until: hoursIn(240),
      outageSeconds: [36 * 60],
    });
    expect(s?.value).toBe(99.75);
    expect(s?.basis).toBe('36 min down in 1 linked outage over 10 days of hyper-care');
  });

  it('rounds down, so a suggestion never claims a target the outages missed', () => {
    // 1 s down in 1000 s: 99.9 % exactly; 1.001 s down must not round up to 99.9
    expect(
      suggestedMeasure(availability, {
        startedAt: wentLive,
        until: new Date(wentLive.getTime() + 1_000_000),
        outageSeconds: [1.001],
      })?.value,
    ).toBe(99.899);
    expect(
      suggestedMeasure(availability, {
        startedAt: wentLive,
        until: new Date(wentLive.getTime() + 1_000_000),
        outageSeconds: [1],
      })?.value,
    ).toBe(99.9);
  });

  it('never below 0 % when outages overlap past the window', () => {
    expect(
      suggestedMeasure(availability, { startedAt: wentLive, until: hoursIn(1), outageSeconds: [3600, 3600] })
        ?.value,
    ).toBe(0);
  });

  it('nothing to suggest for other targets, before go-live or before any time has passed', () => {
    const facts = { startedAt: wentLive, until: hoursIn(1), outageSeconds: [] };
    expect(suggestedMeasure({ category: 'performance', target: { unit: 'ms' } }, facts)).toBeNull();
    expect(suggestedMeasure({ category: 'availability', target: { unit: 'min' } }, facts)).toBeNull();
    expect(suggestedMeasure(availability, null)).toBeNull();
    expect(suggestedMeasure(availability, { ...facts, until: wentLive })).toBeNull();
  });
});
