import { describe, expect, it } from 'vitest';
import { flowChart, formatHours, timeStats } from './report-charts.ts';

describe('cycle and lead time', () => {
  it('summarises finished items by median and 85th percentile, ignoring unknowns', () => {
    expect(timeStats([10, null, 2, 4, 8, 6])).toEqual({ count: 5, mean: 6, p50: 6, p85: 10 });
    expect(timeStats([])).toEqual({ count: 0, mean: null, p50: null, p85: null });
  });

  it('reads in minutes, hours or days', () => {
    expect([formatHours(null), formatHours(0.25), formatHours(5.55), formatHours(60)]).toEqual([
      '–',
      '15 min',
      '5.6 h',
      '2.5 d',
    ]);
  });
});

describe('the cumulative flow diagram', () => {
  it('stacks the columns with done at the bottom', () => {
    const config = flowChart({
      columns: [
        { id: 'r', name: 'Ready' },
        { id: 'd', name: 'Done' },
      ],
      cumulativeFlow: [
        { date: '2026-11-01', counts: { r: 2, d: 0 } },
        { date: '2026-11-02', counts: { r: 1 } },
      ],
      items: [],
    });
    expect(config.data.datasets.map((d) => d.label)).toEqual(['Done', 'Ready']);
    expect(config.data.datasets[0]!.data).toEqual([0, 0]);
    expect(config.data.datasets[1]!.data).toEqual([2, 1]);
  });
});
