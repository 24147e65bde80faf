/**
 * Service report rules, pure (issue 20). Periods (months or quarters) begin at midnight in the board's
 * SLA time zone, laid out by Luxon; a report covers at most MAX_PERIODS of them. PostgreSQL counts
 * the clocks per period and tier (server/reports/service-report-repo.ts); these rules turn the counts
 * into the report:
 * - a clock counts toward attainment in the period its card was resolved: met unless its stage
 *   `resolution.breached` (or `response.breached`) was announced; attainment = met / (met + breached),
 *   null when nothing was resolved;
 * - mean time to acknowledge: from the clock's start to the on-call acknowledgement when the incident
 *   was paged, else to the first human action (the response), over those opened in the period;
 * - mean time to restore: wall-clock time from start to resolution over those resolved in the period;
 * - satisfaction: the mean rating (1–5) and the share of 4s and 5s of ratings given in the period;
 * - backlog: incidents and requests open at the end of the period (or now, for the current one), with
 *   the median and 90th percentile of their age.
 */
import { DateTime } from 'luxon';
import {
  DEFAULT_PERIODS,
  MAX_PERIODS,
  REPORT_TIERS,
  type ReportPeriod,
  type ReportPeriodRow,
  type ReportTier,
  type ServiceReport,
  type SlaReview,
  type SlaReviewInput,
  type TierRow,
} from '../../protocol/service-report.ts';
import type { SlaDocument } from '../../protocol/sla.ts';
import { field as csvField } from './release-outcomes.ts';
import type { Refusal } from './sla.ts';

// ---- periods -------------------------------------------------------------------------------------

/**
 * The zone the board's periods begin in: the time zone of its SLA calendars (the first business
 * calendar, in the order critical, high, normal, low, requests), else UTC when all run 24x7.
 */
export function reportZone(doc: SlaDocument): string {
  for (const target of [doc.tiers.critical, doc.tiers.high, doc.tiers.normal, doc.tiers.low, doc.request])
    if (target.calendar.kind === 'business') return target.calendar.timeZone;
  return 'UTC';
}

export interface Period {
  key: string;
  start: DateTime;
  end: DateTime;
}

const STEP: Record<ReportPeriod, { months: number }> = { month: { months: 1 }, quarter: { months: 3 } };

export function periodKey(period: ReportPeriod, start: DateTime): string {
  return period === 'month' ? start.toFormat('yyyy-MM') : `${start.year}-Q${start.quarter}`;
}

/**
 * The periods from the one holding `from` to the one holding `to` (YYYY-MM-DD days in `zone`); `to`
 * defaults to today, `from` to DEFAULT_PERIODS before it. Refused, naming the field, when `from` is
 * after `to` or the span holds more than MAX_PERIODS.
 */
export function reportPeriods(
  period: ReportPeriod,
  zone: string,
  now: Date,
  from?: string,
  to?: string,
): Period[] | Refusal {
  const step = STEP[period];
  const last = (to ? DateTime.fromISO(to, { zone }) : DateTime.fromJSDate(now, { zone })).startOf(period);
  const first = from
    ? DateTime.fromISO(from, { zone }).startOf(period)
    : last.minus({ months: step.months * (DEFAULT_PERIODS[period] - 1) });
  if (first > last) return { field: 'from', message: 'must not be after to' };
  const count = Math.round(last.diff(first, 'months').months / step.months) + 1;
  if (count > MAX_PERIODS[period])
    return {
      field: 'from',
      message: `a report covers at most ${MAX_PERIODS[period]} ${period}s (asked for ${count})`,
    };
  const out: Period[] = [];
  for (let start = first; start <= last; start = start.plus(step))
    out.push({ key: periodKey(period, start), start, end: start.plus(step) });
  return out;
}

/** The quarter (YYYY-Qn) of each period's start, once each, in order: the reviews the report shows. */
export function quartersOf(periods: readonly Period[]): string[] {
  return [...new Set(periods.map((p) => periodKey('quarter', p.start)))];
}

/** The first day of a quarter, YYYY-MM-DD. */
export function quarterFirstDay(quarter: string): string {
  const year = quarter.slice(0, 4);
  const q = Number(quarter.slice(6));
  return `${year}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`;
}

/** A review's first fault, naming its field: it cannot have met before its quarter began. */
export function checkReview(input: SlaReviewInput): Refusal | null {
  if (input.heldOn < quarterFirstDay(input.quarter))
    return { field: 'heldOn', message: `the review of ${input.quarter} meets on or after its first day` };
  const seen = new Set<string>();
  for (const [i, name] of input.attendees.entries()) {
    if (name.trim() === '') return { field: `attendees[${i}]`, message: 'a name, not blank' };
    if (seen.has(name.trim().toLowerCase())) return { field: `attendees[${i}]`, message: 'named twice' };
    seen.add(name.trim().toLowerCase());
  }
  for (const [i, a] of input.actions.entries())
    if (a.text.trim() === '') return { field: `actions[${i}].text`, message: 'say what is to be done' };
  return null;
}

// ---- the numbers ---------------------------------------------------------------------------------

/** Clocks resolved in a period, of one tier (`period` is the 0-based index of the period). */
export interface ResolvedFacts {
  period: number;
  tier: ReportTier;
  resolved: number;
  responseBreached: number;
  resolutionBreached: number;
  restoreSeconds: number;
}
/** Clocks started in a period, of one tier, and those acknowledged with the seconds it took. */
export interface OpenedFacts {
  period: number;
  tier: ReportTier;
  opened: number;
  acknowledged: number;
  acknowledgeSeconds: number;
}
export interface RatingFacts {
  period: number;
  ratings: number;
  ratingSum: number;
  satisfied: number;
}
export interface BacklogFacts {
  period: number;
  open: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
}
export interface ServiceFacts {
  resolved: ResolvedFacts[];
  opened: OpenedFacts[];
  ratings: RatingFacts[];
  backlog: BacklogFacts[];
}

/** met / (met + breached); null when there is nothing to measure. */
export function attainment(met: number, breached: number): number | null {
  return met + breached === 0 ? null : met / (met + breached);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const meanMinutes = (seconds: number, n: number) => (n === 0 ? null : round1(seconds / n / 60));
const hours = (s: number | null) => (s === null ? null : round1(s / 3600));

interface Sums {
  opened: number;
  acknowledged: number;
  acknowledgeSeconds: number;
  resolved: number;
  responseBreached: number;
  resolutionBreached: number;
  restoreSeconds: number;
}
const zero = (): Sums => ({
  opened: 0,
  acknowledged: 0,
  acknowledgeSeconds: 0,
  resolved: 0,
  responseBreached: 0,
  resolutionBreached: 0,
  restoreSeconds: 0,
});

function tierRow(tier: ReportTier, s: Sums): TierRow {
  const responseMet = s.resolved - s.responseBreached;
  const resolutionMet = s.resolved - s.resolutionBreached;
  return {
    tier,
    opened: s.opened,
    resolved: s.resolved,
    responseMet,
    responseBreached: s.responseBreached,
    responseAttainment: attainment(responseMet, s.responseBreached),
    resolutionMet,
    resolutionBreached: s.resolutionBreached,
    resolutionAttainment: attainment(resolutionMet, s.resolutionBreached),
    mttaMinutes: meanMinutes(s.acknowledgeSeconds, s.acknowledged),
    mttrMinutes: meanMinutes(s.restoreSeconds, s.resolved),
  };
}

/** The report from the counts: every period and tier present (zeros where nothing happened). */
export function serviceReport(
  period: ReportPeriod,
  zone: string,
  periods: readonly Period[],
  facts: ServiceFacts,
  reviews: SlaReview[],
): ServiceReport {
  const sums = periods.map(() => new Map(REPORT_TIERS.map((t) => [t, zero()])));
  const totals = new Map(REPORT_TIERS.map((t) => [t, zero()]));
  const add = (i: number, tier: ReportTier, part: Partial<Sums>) => {
    for (const target of [sums[i]?.get(tier), totals.get(tier)]) {
      if (!target) continue;
      for (const [k, v] of Object.entries(part)) target[k as keyof Sums] += v;
    }
  };
  for (const { period: i, tier, ...part } of facts.resolved) add(i, tier, part);
  for (const { period: i, tier, ...part } of facts.opened) add(i, tier, part);
  const ratings = new Map(facts.ratings.map((r) => [r.period, r]));
  const backlog = new Map(facts.backlog.map((b) => [b.period, b]));
  const rows = periods.map((p, i): ReportPeriodRow => {
    const tiers = REPORT_TIERS.map((t) => tierRow(t, sums[i]!.get(t)!));
    const r = ratings.get(i);
    const b = backlog.get(i);
    return {
      key: p.key,
      start: p.start.toUTC().toISO()!,
      end: p.end.toUTC().toISO()!,
      tiers,
      incidents: tiers.filter((t) => t.tier !== 'request').reduce((n, t) => n + t.opened, 0),
      requestsFulfilled: tiers.find((t) => t.tier === 'request')!.resolved,
      ratings: r?.ratings ?? 0,
      satisfactionMean: r && r.ratings > 0 ? Math.round((r.ratingSum / r.ratings) * 100) / 100 : null,
      satisfiedShare: r && r.ratings > 0 ? r.satisfied / r.ratings : null,
      backlog: {
        open: b?.open ?? 0,
        ageP50Hours: hours(b?.p50Seconds ?? null),
        ageP90Hours: hours(b?.p90Seconds ?? null),
      },
    };
  });
  return {
    period,
    timeZone: zone,
    from: periods[0]!.start.toUTC().toISO()!,
    to: periods.at(-1)!.end.toUTC().toISO()!,
    periods: rows,
    totals: REPORT_TIERS.map((t) => tierRow(t, totals.get(t)!)),
    reviews,
  };
}

export const CSV_COLUMNS = [
  'period',
  'period_start',
  'tier',
  'opened',
  'resolved',
  'response_attainment',
  'resolution_met',
  'resolution_breached',
  'resolution_attainment',
  'mtta_minutes',
  'mttr_minutes',
  'requests_fulfilled',
  'ratings',
  'satisfaction_mean',
  'backlog_open',
  'backlog_age_p50_hours',
  'backlog_age_p90_hours',
] as const;

const share = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/**
 * One row per period and tier, then a row `all` per period with what is not per tier (requests
 * fulfilled, satisfaction, backlog); a header row first.
 */
export function serviceReportCsv(report: ServiceReport): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const p of report.periods) {
    for (const t of p.tiers)
      lines.push(
        [
          p.key,
          p.start,
          t.tier,
          t.opened,
          t.resolved,
          share(t.responseAttainment),
          t.resolutionMet,
          t.resolutionBreached,
          share(t.resolutionAttainment),
          t.mttaMinutes,
          t.mttrMinutes,
          null,
          null,
          null,
          null,
          null,
          null,
        ]
          .map(csvField)
          .join(','),
      );
    lines.push(
      [
        p.key,
        p.start,
        'all',
        p.tiers.reduce((n, t) => n + t.opened, 0),
        p.tiers.reduce((n, t) => n + t.resolved, 0),
        null,
        null,
        null,
        null,
        null,
        null,
        p.requestsFulfilled,
        p.ratings,
        p.satisfactionMean,
        p.backlog.open,
        p.backlog.ageP50Hours,
        p.backlog.ageP90Hours,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
