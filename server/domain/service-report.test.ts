import { describe, expect, it } from 'vitest';
import type { SlaDocument } from '../../protocol/sla.ts';
import {
  attainment,
  CSV_COLUMNS,
  checkReview,
  type Period,
  quartersOf,
  reportPeriods,
  reportZone,
  type ServiceFacts,
  serviceReport,
  serviceReportCsv,
} from './service-report.ts';
import { DEFAULT_SLA } from './sla.ts';

const now = new Date('2026-11-15T12:00:00Z');
const periods = (...args: Parameters<typeof reportPeriods>) => {
  const p = reportPeriods(...args);
  if (!Array.isArray(p)) throw new Error(`refused: ${p.field}`);
  return p;
};
const none: ServiceFacts = { resolved: [], opened: [], ratings: [], backlog: [] };

describe('periods in the board’s SLA time zone', () => {
  it('takes the zone of the first business calendar, or UTC when all run round the clock', () => {
    expect(reportZone(DEFAULT_SLA)).toBe('Europe/London');
    const allDay: SlaDocument = structuredClone(DEFAULT_SLA);
    for (const t of [allDay.tiers.high, allDay.tiers.normal, allDay.tiers.low, allDay.request])
      t.calendar = { kind: '24x7' };
    expect(reportZone(allDay)).toBe('UTC');
  });

  it('months begin at local midnight, across a daylight-saving change', () => {
    const p = periods('month', 'Europe/London', now, '2026-03-10', '2026-04-02');
    expect(p.map((x) => x.key)).toEqual(['2026-03', '2026-04']);
    expect(p[0]!.start.toUTC().toISO()).toBe('2026-03-01T00:00:00.000Z'); // GMT
    expect(p[1]!.start.toUTC().toISO()).toBe('2026-03-31T23:00:00.000Z'); // BST
    expect(p[1]!.end.toUTC().toISO()).toBe('2026-04-30T23:00:00.000Z');
  });

  it('quarters in another zone, named YYYY-Qn', () => {
    const p = periods('quarter', 'America/New_York', now, '2025-12-31', '2026-05-01');
    expect(p.map((x) => x.key)).toEqual(['2025-Q4', '2026-Q1', '2026-Q2']);
    expect(p[1]!.start.toUTC().toISO()).toBe('2026-01-01T05:00:00.000Z');
    expect(p[2]!.start.toUTC().toISO()).toBe('2026-04-01T04:00:00.000Z');
  });

  it('defaults: the last 12 months or 4 quarters up to today', () => {
    const m = periods('month', 'UTC', now);
    expect(m).toHaveLength(12);
    expect([m[0]!.key, m.at(-1)!.key]).toEqual(['2025-12', '2026-11']);
    expect(periods('quarter', 'UTC', now).map((x) => x.key)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
  });

  it('is bounded: at most 24 months or 8 quarters; from after to is refused, naming from', () => {
    expect(periods('month', 'UTC', now, '2024-12-01', '2026-11-30')).toHaveLength(24);
    expect(reportPeriods('month', 'UTC', now, '2024-11-30', '2026-11-30')).toMatchObject({ field: 'from' });
    expect(periods('quarter', 'UTC', now, '2025-01-01', '2026-12-31')).toHaveLength(8);
    expect(reportPeriods('quarter', 'UTC', now, '2024-12-31', '2026-12-31')).toMatchObject({ field: 'from' });
    expect(reportPeriods('month', 'UTC', now, '2026-05-01', '2026-04-30')).toMatchObject({ field: 'from' });
    expect(reportPeriods('month', 'UTC', now, '2000-01-01', '2099-12-31')).toMatchObject({ field: 'from' });
  });

  it('lists the quarters months fall in, once each', () => {
    expect(quartersOf(periods('month', 'UTC', now, '2026-02-01', '2026-07-01'))).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
    ]);
  });
});

describe('the numbers', () => {
  const two: Period[] = periods('quarter', 'UTC', now, '2026-01-01', '2026-06-30');

  it('attainment is met / (met + breached), null when nothing was measured', () => {
    expect(attainment(3, 1)).toBe(0.75);
    expect(attainment(0, 0)).toBeNull();
    expect(attainment(0, 2)).toBe(0);
  });

  it('per tier and period, with totals, MTTA and MTTR means, satisfaction and backlog ages', () => {
    const r = serviceReport(
      'quarter',
      'UTC',
      two,
      {
        resolved: [
          {
            period: 0,
            tier: 'critical',
            resolved: 4,
            responseBreached: 0,
            resolutionBreached: 1,
            restoreSeconds: 4 * 7200,
          },
          {
            period: 1,
            tier: 'critical',
            resolved: 1,
            responseBreached: 1,
            resolutionBreached: 1,
            restoreSeconds: 36000,
          },
          {
            period: 1,
            tier: 'request',
            resolved: 2,
            responseBreached: 0,
            resolutionBreached: 0,
            restoreSeconds: 0,
          },
        ],
        opened: [
          { period: 0, tier: 'critical', opened: 5, acknowledged: 4, acknowledgeSeconds: 4 * 600 },
          { period: 0, tier: 'low', opened: 2, acknowledged: 0, acknowledgeSeconds: 0 },
        ],
        ratings: [{ period: 1, ratings: 4, ratingSum: 17, satisfied: 3 }],
        backlog: [{ period: 0, open: 3, p50Seconds: 5400, p90Seconds: 36_000 }],
      },
      [],
    );
    const critical = r.periods[0]!.tiers.find((t) => t.tier === 'critical')!;
    expect(critical).toMatchObject({
      opened: 5,
      resolved: 4,
      resolutionMet: 3,
      resolutionBreached: 1,
      resolutionAttainment: 0.75,
      responseAttainment: 1,
      mttaMinutes: 10,
      mttrMinutes: 120,
    });
    expect(r.periods[0]!.tiers.find((t) => t.tier === 'high')).toMatchObject({
      opened: 0,
      resolutionAttainment: null,
      mttaMinutes: null,
      mttrMinutes: null,
    });
    expect(r.periods[0]).toMatchObject({
      key: '2026-Q1',
      incidents: 7,
      ratings: 0,
      satisfactionMean: null,
      backlog: { open: 3, ageP50Hours: 1.5, ageP90Hours: 10 },
    });
    expect(r.periods[1]).toMatchObject({
      requestsFulfilled: 2,
      ratings: 4,
      satisfactionMean: 4.25,
      satisfiedShare: 0.75,
      backlog: { open: 0, ageP50Hours: null },
    });
    expect(r.totals.find((t) => t.tier === 'critical')).toMatchObject({
      resolved: 5,
      resolutionBreached: 2,
      resolutionAttainment: 0.6,
      responseAttainment: 0.8,
      mttrMinutes: 216,
    });
    expect(r.periods[0]!.tiers.map((t) => t.tier)).toEqual(['critical', 'high', 'normal', 'low', 'request']);
  });

  it('CSV: a header, a row per period and tier and an `all` row per period', () => {
    const r = serviceReport('quarter', 'UTC', two, none, []);
    const lines = serviceReportCsv(r).trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 2 * 6);
    expect(lines[1]).toBe('2026-Q1,2026-01-01T00:00:00.000Z,critical,0,0,,0,0,,,,,,,,,');
    expect(lines[6]).toBe('2026-Q1,2026-01-01T00:00:00.000Z,all,0,0,,,,,,,0,0,,0,,');
  });
});

describe('SLA review minutes', () => {
  const review = {
    quarter: '2026-Q3',
    heldOn: '2026-10-02',
    attendees: ['Ana', 'Ben'],
    minutes: '',
    actions: [],
  };
  it('meet on or after the quarter’s first day', () => {
    expect(checkReview(review)).toBeNull();
    expect(checkReview({ ...review, heldOn: '2026-07-01' })).toBeNull();
    expect(checkReview({ ...review, heldOn: '2026-06-30' })).toMatchObject({ field: 'heldOn' });
  });
  it('name each attendee once, and say what each action is', () => {
    expect(checkReview({ ...review, attendees: ['Ana', ' ana '] })).toMatchObject({ field: 'attendees[1]' });
    expect(checkReview({ ...review, actions: [{ text: '  ', owner: '', done: false }] })).toMatchObject({
      field: 'actions[0].text',
    });
  });
});
