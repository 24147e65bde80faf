import { describe, expect, it } from 'vitest';
import { describeCover, describePattern, parseShiftHours } from './rota-pattern.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('parseShiftHours', () => {
  it('reads lengths separated by commas or spaces, dropping what is not a number', () => {
    expect(parseShiftHours('12, 12')).toEqual([12, 12]);
    expect(parseShiftHours(' 8 8;8 ')).toEqual([8, 8, 8]);
    expect(parseShiftHours('12, x')).toEqual([12]);
    expect(parseShiftHours('')).toEqual([]);
  });
});

describe('describePattern', () => {
  it('describes each kind of pattern', () => {
    expect(
      describePattern({ kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '09:00' }),
    ).toBe('weekly, Monday 09:00 Europe/London');
    expect(describePattern({ kind: 'custom', zone: 'UTC', startTime: '08:00', shiftHours: [12, 12] })).toBe(
      'custom, from 08:00 UTC, shifts of 12 + 12 h',
    );
    expect(
      describePattern({
        kind: 'follow_the_sun',
        shifts: [{ name: 'EU', zone: 'Europe/Berlin', start: '08:00', end: '20:00', members: [A] }],
      }),
    ).toBe('follow the sun: EU 08:00–20:00 Europe/Berlin');
  });
});

describe('describeCover', () => {
  const names = (id: string) => (id === A ? 'Ada' : 'Bob');
  it('names both people of a swap and the one of an override', () => {
    const base = { id: A, from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' };
    expect(describeCover({ ...base, kind: 'swap', userId: A, withUserId: B }, names)).toBe('swap: Ada ↔ Bob');
    expect(describeCover({ ...base, kind: 'override', userId: B, withUserId: null }, names)).toBe(
      'override: Bob',
    );
  });
});
