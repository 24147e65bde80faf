import { describe, expect, it } from 'vitest';
import { burndownChart, velocityChart } from '../board/report-charts.ts';
import { chartCsv } from './chart-csv.ts';

describe("a chart's data as CSV", () => {
  it('has a row per x-axis label and a column per data set', () => {
    const config = velocityChart([
      { sprintId: 'a', name: 'Sprint 1', committed: 10, completed: 8 },
      { sprintId: 'b', name: '=Sprint 2', committed: 12, completed: 12 },
    ]);
    expect(chartCsv(config, 'Sprint')).toBe(
      "Sprint,Committed,Completed\r\nSprint 1,10,8\r\n'=Sprint 2,12,12\r\n",
    );
  });

  it('leaves a day without a value empty (a burndown after today)', () => {
    const config = burndownChart({
      sprintId: 's',
      committed: 5,
      days: [
        { date: '2026-12-01', remaining: 5, ideal: 5 },
        { date: '2026-12-02', remaining: null, ideal: 0 },
      ],
    });
    const lines = chartCsv(config, 'Day').split('\r\n');
    expect(lines[0]).toBe('Day,Remaining,Ideal');
    expect(lines[1]).toMatch(/,5,5$/);
    expect(lines[2]).toMatch(/,,0$/);
  });
});
