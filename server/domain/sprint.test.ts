import { describe, expect, it } from 'vitest';
import { burndown, burndownWindow, checkSprintDates, MAX_SPRINT_DAYS } from './sprint.ts';

const at = (date: string) => new Date(`${date}T12:00:00Z`);

describe('sprint dates', () => {
  it('allows up to eight weeks, start and end included, and names endDate otherwise', () => {
    expect(checkSprintDates({ startDate: '2026-01-05', endDate: '2026-01-18' })).toBeNull();
    expect(checkSprintDates({ startDate: '2026-01-05', endDate: '2026-03-01' })).toBeNull(); // 56 days
    expect(checkSprintDates({ startDate: '2026-01-05', endDate: '2026-03-02' })).toEqual({
      field: 'endDate',
      message: 'a sprint lasts at most 56 days (8 weeks): end on 2026-03-01 or earlier',
    });
    expect(checkSprintDates({ startDate: '2026-01-05', endDate: '2026-01-05' })?.field).toBe('endDate');
    expect(checkSprintDates({ startDate: '2026-01-05', endDate: '2025-12-31' })?.field).toBe('endDate');
  });
});

describe('burndown', () => {
  it('shows every day of a sprint, with the ideal line from committed to zero', () => {
    const window = burndownWindow('2026-01-05', '2026-01-09', at('2026-01-07'));
    expect(window).toEqual({ from: '2026-01-05', to: '2026-01-09', offset: 0, sprintDays: 5 });
    const chart = burndown(window, 8, new Map([['2026-01-06', 3]]), at('2026-01-07'));
    expect(chart.days).toEqual([
      { date: '2026-01-05', remaining: 8, ideal: 8 },
      { date: '2026-01-06', remaining: 5, ideal: 6 },
      { date: '2026-01-07', remaining: 8, ideal: 4 },
      { date: '2026-01-08', remaining: null, ideal: 2 },
      { date: '2026-01-09', remaining: null, ideal: 0 },
    ]);
  });

  it('shows at most eight weeks, up to the day it is read, of a sprint stored with absurd dates', () => {
    const window = burndownWindow('0001-01-01', '9999-12-31', at('2026-12-03'));
    expect(window).toMatchObject({ from: '2026-10-09', to: '2026-12-03' });
    const chart = burndown(window, 10, new Map(), at('2026-12-03'));
    expect(chart.days).toHaveLength(MAX_SPRINT_DAYS);
    expect(chart.days.at(-1)).toMatchObject({ date: '2026-12-03', remaining: 10 });
    // Such a sprint that has not begun yet shows its first eight weeks.
    expect(burndownWindow('2030-01-01', '9999-12-31', at('2026-12-03'))).toMatchObject({
      from: '2030-01-01',
      to: '2030-02-25',
    });
  });
});
