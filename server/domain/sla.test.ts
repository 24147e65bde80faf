import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Calendar, SlaDocument, SlaTier } from '../../protocol/sla.ts';
import {
  addBusinessMs,
  businessMs,
  type ClockFacts,
  cardClocks,
  checkSlaDocument,
  clockState,
  DEFAULT_MATRIX,
  DEFAULT_SLA,
  tierOf,
  tierOfPriority,
} from './sla.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** An instant given as wall-clock time in a zone. */
const at = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();
const iso = (ms: number | null, zone = 'UTC') =>
  ms === null
    ? null
    : DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true, suppressSeconds: true });

const officeHours = (timeZone: string, holidays: string[] = []): Calendar => ({
  kind: 'business',
  timeZone,
  hours: Object.fromEntries(
    (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
  ),
  holidays,
});
const allDay: Calendar = { kind: '24x7' };

/** A document whose tiers all run round the clock, with these resolution minutes (response: a quarter). */
function docWith(resolution: Partial<Record<SlaTier, number>>, calendar: Calendar = allDay): SlaDocument {
  const t = (m: number) => ({ responseMinutes: m / 4, resolutionMinutes: m, calendar });
  return {
    matrix: DEFAULT_MATRIX,
    tiers: {
      critical: t(resolution.critical ?? 60),
      high: t(resolution.high ?? 120),
      normal: t(resolution.normal ?? 240),
      low: t(resolution.low ?? 480),
    },
    request: t(480),
  };
}

const incident = (over: Partial<ClockFacts> & { startedAt: number }): ClockFacts => ({
  kind: 'incident',
  tiers: [{ at: over.startedAt, tier: 'normal' }],
  pauses: [],
  responseMetAt: null,
  resolvedAt: null,
  ...over,
});

describe('priority from impact × urgency', () => {
  it('reads the 3×3 matrix, impact as the row, and refuses a cell off the matrix', () => {
    expect(tierOf(DEFAULT_MATRIX, 1, 1)).toBe('critical');
    expect(tierOf(DEFAULT_MATRIX, 1, 2)).toBe('high');
    expect(tierOf(DEFAULT_MATRIX, 3, 1)).toBe('normal');
    expect(tierOf(DEFAULT_MATRIX, 3, 3)).toBe('low');
    expect(tierOf(DEFAULT_MATRIX, 4, 1)).toBeNull();
  });
  it('reads a board-configured 4×4 matrix', () => {
    const m: SlaTier[][] = [
      ['critical', 'critical', 'high', 'normal'],
      ['critical', 'high', 'normal', 'low'],
      ['high', 'normal', 'low', 'low'],
      ['normal', 'low', 'low', 'low'],
    ];
    expect(tierOf(m, 2, 1)).toBe('critical');
    expect(tierOf(m, 4, 4)).toBe('low');
  });
  it("takes an unrated card's priority as its tier (medium is normal)", () => {
    expect(tierOfPriority('critical')).toBe('critical');
    expect(tierOfPriority('medium')).toBe('normal');
    expect(tierOfPriority('low')).toBe('low');
  });
});

describe('the SLA document', () => {
  it('accepts the default', () => {
    expect(checkSlaDocument(DEFAULT_SLA)).toBeNull();
  });
  it('names the field of an unknown time zone, overlapping hours, a target of 0 and a ragged matrix', () => {
    const bad = (change: (d: SlaDocument) => void) => {
      const d = structuredClone(DEFAULT_SLA);
      change(d);
      return checkSlaDocument(d);
    };
    expect(
      bad((d) => {
        d.tiers.high.calendar = { ...officeHours('Mars/Olympus_Mons') };
      }),
    ).toMatchObject({ field: 'tiers.high.calendar.timeZone' });
    expect(
      bad((d) => {
        const c = officeHours('Europe/London');
        if (c.kind === 'business')
          c.hours.tue = [
            { from: '09:00', to: '13:00' },
            { from: '12:00', to: '17:00' },
          ];
        d.request.calendar = c;
      }),
    ).toMatchObject({ field: 'request.calendar.hours.tue[1]' });
    expect(
      bad((d) => {
        const c = officeHours('Europe/London');
        if (c.kind === 'business') c.hours.wed = [{ from: '17:00', to: '09:00' }];
        d.tiers.low.calendar = c;
      }),
    ).toMatchObject({ field: 'tiers.low.calendar.hours.wed[0]' });
    expect(
      bad((d) => {
        d.tiers.normal.responseMinutes = 0;
      }),
    ).toMatchObject({ field: 'tiers.normal.responseMinutes' });
    expect(
      bad((d) => {
        d.tiers.critical.resolutionMinutes = -5;
      }),
    ).toMatchObject({ field: 'tiers.critical.resolutionMinutes' });
    expect(
      bad((d) => {
        d.matrix[1] = ['high', 'low'];
      }),
    ).toMatchObject({ field: 'matrix[1]' });
    expect(
      bad((d) => {
        d.request.calendar = { kind: 'business', timeZone: 'UTC', hours: {}, holidays: [] };
      }),
    ).toMatchObject({ field: 'request.calendar.hours' });
  });
});

describe('business time', () => {
  const london = officeHours('Europe/London');
  it('skips the night and the weekend: 2 h from Friday 16:00 is Monday 10:00', () => {
    const from = at('2026-06-05T16:00', 'Europe/London');
    expect(iso(addBusinessMs(london, from, 2 * HOUR), 'Europe/London')).toBe('2026-06-08T10:00+01:00');
    expect(businessMs(london, from, at('2026-06-08T10:00', 'Europe/London'))).toBe(2 * HOUR);
  });
  it('counts nothing overnight, and starts counting when the office opens', () => {
    const cal = london;
    expect(
      businessMs(cal, at('2026-06-03T18:00', 'Europe/London'), at('2026-06-04T08:59', 'Europe/London')),
    ).toBe(0);
    expect(iso(addBusinessMs(cal, at('2026-06-03T20:00', 'Europe/London'), 30 * MIN), 'Europe/London')).toBe(
      '2026-06-04T09:30+01:00',
    );
  });
  it('skips holidays in the calendar’s zone', () => {
    const cal = officeHours('Europe/London', ['2026-06-08']);
    expect(iso(addBusinessMs(cal, at('2026-06-05T16:00', 'Europe/London'), 2 * HOUR), 'Europe/London')).toBe(
      '2026-06-09T10:00+01:00',
    );
  });
  it('spring-forward in New York: Friday 16:00 EST + 2 h is Monday 10:00 EDT (14:00 UTC, not 15:00)', () => {
    const ny = officeHours('America/New_York');
    const deadline = addBusinessMs(ny, at('2026-03-06T16:00', 'America/New_York'), 2 * HOUR);
    expect(iso(deadline, 'America/New_York')).toBe('2026-03-09T10:00-04:00');
    expect(iso(deadline)).toBe('2026-03-09T14:00Z');
  });
  it('fall-back in New York: Friday 16:00 EDT + 2 h is Monday 10:00 EST (15:00 UTC)', () => {
    const ny = officeHours('America/New_York');
    expect(iso(addBusinessMs(ny, at('2026-10-30T16:00', 'America/New_York'), 2 * HOUR))).toBe(
      '2026-11-02T15:00Z',
    );
  });
  it('in London, the night window 00:00–04:00 lasts 3 real hours at spring-forward and 5 at fall-back', () => {
    const nights: Calendar = {
      kind: 'business',
      timeZone: 'Europe/London',
      hours: { sun: [{ from: '00:00', to: '04:00' }] },
      holidays: [],
    };
    const day = (d: string) =>
      businessMs(nights, at(`${d}T00:00`, 'Europe/London'), at(`${d}T23:00`, 'Europe/London'));
    expect(day('2026-03-29')).toBe(3 * HOUR);
    expect(day('2026-10-25')).toBe(5 * HOUR);
    expect(day('2026-06-07')).toBe(4 * HOUR);
    // 3.5 h from the spring-forward Sunday's midnight: 01:00–02:00 does not exist, so 04:30 BST is too far
    expect(
      iso(addBusinessMs(nights, at('2026-03-29T00:00', 'Europe/London'), 2.5 * HOUR), 'Europe/London'),
    ).toBe('2026-03-29T03:30+01:00');
  });
  it('24/7 is plain elapsed time, daylight saving or not', () => {
    const from = at('2026-03-29T00:30', 'Europe/London');
    expect(addBusinessMs(allDay, from, 3 * HOUR)).toBe(from + 3 * HOUR);
    expect(businessMs(allDay, from, from + 90 * MIN)).toBe(90 * MIN);
  });
  it('a calendar that never opens gives no deadline rather than walking for ever', () => {
    const closed: Calendar = {
      kind: 'business',
      timeZone: 'UTC',
      hours: { mon: [{ from: '09:00', to: '10:00' }] },
      holidays: [],
    };
    expect(addBusinessMs(closed, at('2026-06-01T09:00'), 10_000 * HOUR)).toBeNull();
  });
});

describe('clocks', () => {
  const doc = docWith({});
  const start = at('2026-06-01T10:00');

  it('24/7: warning at 75%, breach at 100%, time left and status as time passes', () => {
    const f = incident({ startedAt: start });
    const s = clockState(doc, f, 'resolution', start + 60 * MIN);
    expect(iso(s.warningAt)).toBe('2026-06-01T13:00Z');
    expect(iso(s.breachAt)).toBe('2026-06-01T14:00Z');
    expect(s.elapsedMs).toBe(60 * MIN);
    expect(s.leftMs).toBe(180 * MIN);
    expect(s.status).toBe('ok');
    expect(clockState(doc, f, 'resolution', start + 181 * MIN).status).toBe('warning');
    const late = clockState(doc, f, 'resolution', start + 250 * MIN);
    expect(late.status).toBe('breached');
    expect(late.leftMs).toBe(-10 * MIN);
  });

  it('the response clock stops at the first human action: met, and never warns after', () => {
    const f = incident({ startedAt: start, responseMetAt: start + 20 * MIN });
    const s = clockState(doc, f, 'response', start + 5 * HOUR);
    expect(s.status).toBe('met');
    expect(s.metAt).toBe(start + 20 * MIN);
    expect(s.warningAt).toBeNull();
    expect(cardClocks(doc, f, [], start + 5 * HOUR).due).toEqual([
      'resolution.warning',
      'resolution.breached',
    ]);
  });

  it('a pause (waiting on the customer) is not counted and postpones the deadline', () => {
    const f = incident({ startedAt: start, pauses: [{ from: start + 20 * MIN, to: start + 50 * MIN }] });
    const s = clockState(doc, f, 'resolution', start + 60 * MIN);
    expect(s.elapsedMs).toBe(30 * MIN);
    expect(s.breachAt).toBe(start + 270 * MIN);
    expect(s.warningAt).toBe(start + 210 * MIN);
  });

  it('while paused there is no deadline, and the status says paused', () => {
    const f = incident({ startedAt: start, pauses: [{ from: start + 20 * MIN, to: null }] });
    const s = clockState(doc, f, 'resolution', start + 10 * HOUR);
    expect(s.status).toBe('paused');
    expect(s.breachAt).toBeNull();
    expect(s.elapsedMs).toBe(20 * MIN);
    expect(cardClocks(doc, f, [], start + 10 * HOUR)).toMatchObject({ due: [], next: null });
  });

  it('a tier change mid-life keeps the elapsed time and takes the new target', () => {
    // normal (240 min) for an hour, then high (120 min): 60 min count, the breach is 60 min later
    const f = incident({
      startedAt: start,
      tiers: [
        { at: start, tier: 'normal' },
        { at: start + 60 * MIN, tier: 'high' },
      ],
    });
    const s = clockState(doc, f, 'resolution', start + 70 * MIN);
    expect(s.targetMinutes).toBe(120);
    expect(s.elapsedMs).toBe(70 * MIN);
    expect(s.breachAt).toBe(start + 120 * MIN);
    expect(s.warningAt).toBe(start + 90 * MIN);
  });

  it('raised to a tier whose target has already passed: breached at the change', () => {
    const f = incident({
      startedAt: start,
      tiers: [
        { at: start, tier: 'low' },
        { at: start + 150 * MIN, tier: 'high' },
      ],
    });
    const s = clockState(doc, f, 'resolution', start + 151 * MIN);
    expect(s.breachAt).toBe(start + 150 * MIN);
    expect(s.status).toBe('breached');
  });

  it('a tier change to one with another calendar counts each stretch in its own calendar', () => {
    const london = officeHours('Europe/London');
    const d = docWith({});
    d.tiers.normal = { responseMinutes: 60, resolutionMinutes: 8 * 60, calendar: london };
    // Monday 2026-06-01 09:00 BST start (normal, office hours); critical (24x7, 240 min) from 13:00 BST
    const s0 = at('2026-06-01T09:00', 'Europe/London');
    const f = incident({
      startedAt: s0,
      tiers: [
        { at: s0, tier: 'normal' },
        { at: s0 + 4 * HOUR, tier: 'critical' },
      ],
    });
    // 4 h elapsed already against critical's 60 min: breached at the change
    expect(clockState(d, f, 'resolution', s0 + 5 * HOUR).breachAt).toBe(s0 + 4 * HOUR);
    // and a normal incident raised to low keeps its 4 office hours and needs 4 more office hours... low is 24x7 here
    const g = incident({
      startedAt: s0,
      tiers: [
        { at: s0, tier: 'normal' },
        { at: s0 + 10 * HOUR, tier: 'low' },
      ],
    });
    // normal: 09:00–17:00 counts 8 h = its whole target, so it breaches at 17:00 before the change
    expect(iso(clockState(d, g, 'resolution', s0 + 11 * HOUR).breachAt, 'Europe/London')).toBe(
      '2026-06-01T17:00+01:00',
    );
  });

  it('resolved after the breach stays breached; resolved before is met', () => {
    const f = incident({ startedAt: start, resolvedAt: start + 300 * MIN });
    expect(clockState(doc, f, 'resolution', start + 400 * MIN).status).toBe('breached');
    const g = incident({ startedAt: start, resolvedAt: start + 100 * MIN });
    expect(clockState(doc, g, 'resolution', start + 400 * MIN).status).toBe('met');
    // resolving also meets the response clock
    expect(clockState(doc, g, 'response', start + 400 * MIN).status).toBe('breached');
    const h = incident({ startedAt: start, resolvedAt: start + 10 * MIN });
    expect(clockState(doc, h, 'response', start + 400 * MIN).status).toBe('met');
  });

  it('service requests take the request target whatever the tier', () => {
    const f: ClockFacts = { ...incident({ startedAt: start }), kind: 'request' };
    expect(clockState(doc, f, 'resolution', start).breachAt).toBe(start + 480 * MIN);
  });

  it('names the next stage to announce, skipping the ones already announced', () => {
    const f = incident({ startedAt: start });
    const c = cardClocks(doc, f, [], start);
    expect(c.next).toEqual({ stage: 'response.warning', at: start + 45 * MIN });
    const later = cardClocks(doc, f, ['response.warning'], start + 61 * MIN);
    expect(later.due).toEqual(['response.breached']);
    expect(later.next).toEqual({ stage: 'resolution.warning', at: start + 180 * MIN });
  });
});

describe('properties', () => {
  const zones = fc.constantFrom(
    'Europe/London',
    'America/New_York',
    'Asia/Kolkata',
    'Australia/Lord_Howe',
    'UTC',
  );
  // 2026, DST changes included
  const instant = fc.integer({ min: at('2026-01-01T00:00'), max: at('2026-12-31T00:00') });
  const minutes = fc.integer({ min: 1, max: 20_000 });

  it('the deadline of a longer target is never earlier', () => {
    fc.assert(
      fc.property(zones, instant, minutes, minutes, (zone, from, a, b) => {
        const cal = officeHours(zone, ['2026-12-25']);
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMs(cal, from, long * MIN)!).toBeGreaterThanOrEqual(
          addBusinessMs(cal, from, short * MIN)!,
        );
      }),
    );
  });

  it('the open time up to a deadline is the target', () => {
    fc.assert(
      fc.property(zones, instant, minutes, (zone, from, m) => {
        const cal = officeHours(zone);
        expect(businessMs(cal, from, addBusinessMs(cal, from, m * MIN)!)).toBe(m * MIN);
      }),
    );
  });

  it('a pause never brings a deadline forward', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 600 }),
        (s, off, len) => {
          const d = docWith({}, officeHours('Europe/London'));
          const plain = clockState(d, incident({ startedAt: s }), 'resolution', s).breachAt!;
          const paused = clockState(
            d,
            incident({ startedAt: s, pauses: [{ from: s + off * MIN, to: s + (off + len) * MIN }] }),
            'resolution',
            s,
          ).breachAt!;
          expect(paused).toBeGreaterThanOrEqual(plain);
        },
      ),
    );
  });
});
