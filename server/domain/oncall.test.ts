import { describe, expect, it } from 'vitest';
import {
  type EscalationPolicy,
  escalationStep,
  type FollowTheSunPattern,
  next,
  onDuty,
  type Rota,
  type ShiftPattern,
  serviceHistory,
  timeline,
  validatePolicy,
  validateRota,
} from './oncall.ts';

const at = (iso: string) => new Date(iso);
const rota = (pattern: ShiftPattern, over: Partial<Rota> = {}): Rota => ({
  members: ['ada', 'bob', 'cy'],
  pattern,
  startDate: '2027-03-01',
  overrides: [],
  swaps: [],
  ...over,
});
const weeklyLondon: ShiftPattern = {
  kind: 'weekly',
  zone: 'Europe/London',
  handoffWeekday: 1,
  handoffTime: '09:00',
};
const followTheSun: FollowTheSunPattern = {
  kind: 'follow_the_sun',
  shifts: [
    { name: 'London', zone: 'Europe/London', start: '07:00', end: '15:00', members: ['ada'] },
    { name: 'New York', zone: 'America/New_York', start: '11:00', end: '19:00', members: ['bob', 'cy'] },
    { name: 'Tokyo', zone: 'Asia/Tokyo', start: '09:00', end: '15:00', members: ['dee'] },
  ],
};

describe('weekly rota', () => {
  it('hands over on the weekday at local time, in member order, and wraps around', () => {
    const r = rota(weeklyLondon);
    // 2027-03-01 is a Monday: ada from 09:00 GMT
    expect(onDuty(r, at('2027-03-01T08:59:00Z'))).toBeNull();
    expect(onDuty(r, at('2027-03-01T09:00:00Z'))?.userId).toBe('ada');
    expect(onDuty(r, at('2027-03-08T08:59:00Z'))?.userId).toBe('ada');
    expect(onDuty(r, at('2027-03-08T09:00:00Z'))?.userId).toBe('bob');
    expect(onDuty(r, at('2027-03-15T10:00:00Z'))?.userId).toBe('cy');
    expect(onDuty(r, at('2027-03-22T10:00:00Z'))?.userId).toBe('ada');
  });

  it('keeps the hand-off at local 09:00 when the clocks go forward and back', () => {
    const r = rota(weeklyLondon);
    // UK clocks go forward on Sunday 2027-03-28: Monday 09:00 BST is 08:00 UTC
    const shifts = timeline(r, at('2027-03-22T00:00:00Z'), at('2027-04-06T00:00:00Z'));
    expect(shifts.map((s) => s.start.toISOString())).toEqual([
      '2027-03-22T00:00:00.000Z',
      '2027-03-22T09:00:00.000Z',
      '2027-03-29T08:00:00.000Z',
      '2027-04-05T08:00:00.000Z',
    ]);
    expect(onDuty(r, at('2027-03-29T08:30:00Z'))?.userId).toBe('bob');
    // ... and back on Sunday 2027-10-31: Monday 09:00 GMT is 09:00 UTC again
    expect(onDuty(r, at('2027-11-01T08:30:00Z'))?.start.toISOString()).toBe('2027-10-25T08:00:00.000Z');
    expect(onDuty(r, at('2027-11-01T09:00:00Z'))?.start.toISOString()).toBe('2027-11-01T09:00:00.000Z');
  });

  it('names the following person and when they take over', () => {
    const r = rota(weeklyLondon);
    const n = next(r, at('2027-03-03T12:00:00Z'));
    expect(n?.userId).toBe('bob');
    expect(n?.start.toISOString()).toBe('2027-03-08T09:00:00.000Z');
    expect(next(rota(weeklyLondon, { members: ['ada'] }), at('2027-03-03T12:00:00Z'))).toBeNull();
  });
});

describe('custom shifts', () => {
  it('turns day and night shifts of a whole-day cycle at the same local times across DST', () => {
    const r = rota({ kind: 'custom', zone: 'Europe/Berlin', startTime: '08:00', shiftHours: [12, 12] });
    expect(onDuty(r, at('2027-03-01T07:30:00Z'))?.userId).toBe('ada'); // 08:30 CET
    expect(onDuty(r, at('2027-03-01T19:30:00Z'))?.userId).toBe('bob'); // 20:30 CET
    expect(onDuty(r, at('2027-03-02T07:30:00Z'))?.userId).toBe('cy');
    // Berlin moves to CEST on 2027-03-28: the day shift still starts at 08:00 local = 06:00 UTC
    const s = onDuty(r, at('2027-03-29T06:30:00Z'));
    expect(s?.start.toISOString()).toBe('2027-03-29T06:00:00.000Z');
  });
});

describe('follow-the-sun', () => {
  it('hands over region to region, each in its own time zone, and rotates within a region', () => {
    const r = rota(followTheSun, { members: ['ada', 'bob', 'cy', 'dee'] });
    expect(validateRota(r)).toBeNull();
    // winter: London 07–15 UTC, New York 16–24 UTC, Tokyo 00–06 UTC
    expect(onDuty(r, at('2027-03-02T10:00:00Z'))?.region).toBe('London');
    expect(onDuty(r, at('2027-03-02T17:00:00Z'))?.userId).toBe('cy'); // New York's second day
    expect(onDuty(r, at('2027-03-03T17:00:00Z'))?.userId).toBe('bob');
    expect(onDuty(r, at('2027-03-03T02:00:00Z'))?.userId).toBe('dee');
    expect(onDuty(r, at('2027-03-03T06:30:00Z'))).toBeNull(); // the gap before London opens
    expect(next(r, at('2027-03-02T10:00:00Z'))).toMatchObject({ userId: 'cy', region: 'New York' });
    // New York on daylight time (from 2027-03-14), London not yet: 11:00 EDT is 15:00 UTC
    expect(onDuty(r, at('2027-03-20T15:30:00Z'))?.region).toBe('New York');
  });

  it('refuses regional shifts that overlap in any week of the year, naming the shift', () => {
    const clash: FollowTheSunPattern = {
      kind: 'follow_the_sun',
      shifts: [
        { name: 'London', zone: 'Europe/London', start: '08:00', end: '16:00', members: ['ada'] },
        // 11:00 New York is 16:00 London, but 15:00 London between the two clock changes in March
        { name: 'New York', zone: 'America/New_York', start: '11:00', end: '19:00', members: ['bob'] },
      ],
    };
    expect(validateRota(rota(clash))).toMatchObject({ field: 'pattern.shifts[1]' });
    expect(validateRota(rota(clash))?.message).toMatch(/overlaps London .* 2027-03-1/);
  });

  it('refuses an unknown time zone and a regional member outside the rota', () => {
    const p = structuredClone(followTheSun);
    p.shifts[2]!.zone = 'Mars/Olympus';
    expect(validateRota(rota(p, { members: ['ada', 'bob', 'cy', 'dee'] }))).toMatchObject({
      field: 'pattern.shifts[2].zone',
    });
    expect(validateRota(rota(followTheSun))).toMatchObject({ field: 'pattern.shifts[2].members[0]' });
    expect(validateRota(rota({ ...weeklyLondon, zone: 'Europe/Lundun' }))).toMatchObject({
      field: 'pattern.zone',
    });
    expect(validateRota(rota(weeklyLondon, { members: ['ada', 'ada'] }))).toMatchObject({
      field: 'members[1]',
    });
  });
});

describe('overrides and swaps', () => {
  it('an override covers its interval, splitting the shift it falls in, and fills a gap too', () => {
    const r = rota(weeklyLondon, {
      overrides: [{ userId: 'zed', from: at('2027-03-03T12:00:00Z'), to: at('2027-03-03T18:00:00Z') }],
    });
    expect(onDuty(r, at('2027-03-03T11:59:00Z'))?.userId).toBe('ada');
    expect(onDuty(r, at('2027-03-03T12:00:00Z'))).toMatchObject({ userId: 'zed', cover: 'override' });
    expect(onDuty(r, at('2027-03-03T18:00:00Z'))?.userId).toBe('ada');
    const gap = rota(weeklyLondon, {
      overrides: [{ userId: 'zed', from: at('2027-03-01T06:00:00Z'), to: at('2027-03-01T10:00:00Z') }],
    });
    expect(onDuty(gap, at('2027-03-01T07:00:00Z'))?.userId).toBe('zed');
    expect(onDuty(gap, at('2027-03-01T09:30:00Z'))?.userId).toBe('zed');
    expect(onDuty(gap, at('2027-03-01T10:00:00Z'))?.userId).toBe('ada');
  });

  it('a swap exchanges two people’s shifts within its interval only', () => {
    const r = rota(weeklyLondon, {
      swaps: [
        {
          userId: 'ada',
          withUserId: 'bob',
          from: at('2027-03-01T00:00:00Z'),
          to: at('2027-03-15T00:00:00Z'),
        },
      ],
    });
    expect(onDuty(r, at('2027-03-02T10:00:00Z'))).toMatchObject({ userId: 'bob', cover: 'swap' });
    expect(onDuty(r, at('2027-03-09T10:00:00Z'))).toMatchObject({ userId: 'ada', cover: 'swap' });
    expect(onDuty(r, at('2027-03-16T10:00:00Z'))?.userId).toBe('cy');
  });

  it('bounds the timeline it computes', () => {
    expect(() =>
      timeline(rota(weeklyLondon), at('2027-01-01T00:00:00Z'), at('2029-01-01T00:00:00Z')),
    ).toThrow(RangeError);
  });
});

describe('development ↔ AMS rotation', () => {
  it('has no development time from before the rota began', () => {
    const r = { ...rota(weeklyLondon, { startDate: '2027-03-08' }), duty: 'ams' as const, rotation: true };
    const history = serviceHistory(r, 'bob', at('2027-03-01T00:00:00Z'), at('2027-03-29T09:00:00Z'));
    expect(history.map((h) => [h.duty, h.from.toISOString(), h.to.toISOString()])).toEqual([
      ['development', '2027-03-08T09:00:00.000Z', '2027-03-15T09:00:00.000Z'],
      ['ams', '2027-03-15T09:00:00.000Z', '2027-03-22T09:00:00.000Z'],
      ['development', '2027-03-22T09:00:00.000Z', '2027-03-29T09:00:00.000Z'],
    ]);
  });

  it('counts a person’s AMS shifts and their development time around them', () => {
    const r = { ...rota(weeklyLondon), duty: 'ams' as const, rotation: true };
    const history = serviceHistory(r, 'bob', at('2027-03-01T09:00:00Z'), at('2027-03-22T09:00:00Z'));
    expect(history.map((h) => [h.duty, h.from.toISOString(), h.to.toISOString()])).toEqual([
      ['development', '2027-03-01T09:00:00.000Z', '2027-03-08T09:00:00.000Z'],
      ['ams', '2027-03-08T09:00:00.000Z', '2027-03-15T09:00:00.000Z'],
      ['development', '2027-03-15T09:00:00.000Z', '2027-03-22T09:00:00.000Z'],
    ]);
    const plain = { ...rota(weeklyLondon), duty: 'ams' as const, rotation: false };
    expect(serviceHistory(plain, 'bob', at('2027-03-01T09:00:00Z'), at('2027-03-22T09:00:00Z'))).toHaveLength(
      1,
    );
  });
});

describe('escalation', () => {
  const policy: EscalationPolicy = {
    steps: [
      { target: { kind: 'on_duty', rotaId: 'r' }, afterMinutes: 0 },
      { target: { kind: 'next_on_duty', rotaId: 'r' }, afterMinutes: 10 },
      { target: { kind: 'user', userId: 'lead' }, afterMinutes: 25 },
    ],
  };
  const raised = at('2027-03-01T12:00:00Z');
  const plus = (min: number) => new Date(raised.getTime() + min * 60_000);

  it('pages step by step while nobody acknowledges', () => {
    expect(escalationStep(policy, raised, raised, false)).toEqual({ dueThrough: 0, nextAt: plus(10) });
    expect(escalationStep(policy, raised, plus(9.99), false).dueThrough).toBe(0);
    expect(escalationStep(policy, raised, plus(10), false)).toEqual({ dueThrough: 1, nextAt: plus(25) });
    expect(escalationStep(policy, raised, plus(60), false)).toEqual({ dueThrough: 2, nextAt: null });
  });

  it('stops once acknowledged', () => {
    expect(escalationStep(policy, raised, plus(60), true)).toEqual({ dueThrough: -1, nextAt: null });
  });

  it('refuses steps out of order', () => {
    expect(validatePolicy(policy)).toBeNull();
    expect(validatePolicy({ steps: [] })).toMatchObject({ field: 'steps' });
    expect(
      validatePolicy({ steps: [policy.steps[0]!, { ...policy.steps[1]!, afterMinutes: 0 }] }),
    ).toMatchObject({ field: 'steps[1].afterMinutes' });
  });
});
