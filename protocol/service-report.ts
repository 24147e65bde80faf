/**
 * Service reports (issue 20): the wire format of the service report (per month or quarter: SLA
 * attainment and incidents per tier, mean time to acknowledge and to restore, requests fulfilled and
 * their satisfaction, backlog age) and of the quarterly SLA review minutes. The rules behind the
 * numbers are in server/domain/service-report.ts.
 */
import { type Static, Type } from 'typebox';
import { DateOnly, EARLIEST_DATE, LATEST_DATE, Nullable, Uuid } from './model.ts';

const Day = (description: string) =>
  Type.String({ format: 'date', formatMinimum: EARLIEST_DATE, formatMaximum: LATEST_DATE, description });

export const REPORT_PERIODS = ['month', 'quarter'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];
/** The most periods one report covers: two years of months, or of quarters. */
export const MAX_PERIODS: Record<ReportPeriod, number> = { month: 24, quarter: 8 };
/** Periods shown when `from` is not given. */
export const DEFAULT_PERIODS: Record<ReportPeriod, number> = { month: 12, quarter: 4 };

/** The rows of a period: one per incident tier, and one for service requests. */
export const REPORT_TIERS = ['critical', 'high', 'normal', 'low', 'request'] as const;
export type ReportTier = (typeof REPORT_TIERS)[number];

export const ServiceReportQuery = Type.Object({
  period: Type.Optional(
    Type.Union([Type.Literal('month'), Type.Literal('quarter')], {
      description: 'month (default) or quarter',
    }),
  ),
  from: Type.Optional(
    Day(
      `YYYY-MM-DD, a day in the first period; default: ${DEFAULT_PERIODS.month} months or ${DEFAULT_PERIODS.quarter} quarters before to; at most ${MAX_PERIODS.month} months or ${MAX_PERIODS.quarter} quarters in all`,
    ),
  ),
  to: Type.Optional(Day('YYYY-MM-DD, a day in the last period; default today')),
});
export type ServiceReportParams = Static<typeof ServiceReportQuery>;

const Share = (description: string) => Nullable(Type.Number({ minimum: 0, maximum: 1, description }));
const Minutes = (description: string) => Nullable(Type.Number({ description }));

export const TierRowSchema = Type.Object({
  tier: Type.Enum([...REPORT_TIERS], { description: REPORT_TIERS.join(' | ') }),
  opened: Type.Integer({ description: 'incidents (or requests) opened in the period' }),
  resolved: Type.Integer({ description: 'resolved in the period; attainment counts these' }),
  responseMet: Type.Integer(),
  responseBreached: Type.Integer(),
  responseAttainment: Share('met / (met + breached) of the response clocks; null when none'),
  resolutionMet: Type.Integer(),
  resolutionBreached: Type.Integer(),
  resolutionAttainment: Share('met / (met + breached) of the resolution clocks; null when none'),
  mttaMinutes: Minutes('mean time to acknowledge of those opened in the period (wall-clock minutes)'),
  mttrMinutes: Minutes('mean time to restore (resolve) of those resolved in the period (wall-clock minutes)'),
});
export type TierRow = Static<typeof TierRowSchema>;

export const SlaReviewActionSchema = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 500 }),
    owner: Type.String({ maxLength: 100, description: 'who takes it; may be empty' }),
    done: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const QuarterSchema = Type.String({
  pattern: '^20[0-9]{2}-Q[1-4]$',
  description: 'YYYY-Qn, e.g. 2026-Q3',
});

export const SlaReviewBody = Type.Object(
  {
    quarter: QuarterSchema,
    heldOn: DateOnly,
    attendees: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
    minutes: Type.String({ maxLength: 20_000, description: 'Markdown' }),
    actions: Type.Array(SlaReviewActionSchema, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type SlaReviewInput = Static<typeof SlaReviewBody>;

export const SlaReviewUpdateBody = Type.Object(
  {
    ...SlaReviewBody.properties,
    revision: Type.Integer({ minimum: 1, description: 'the revision this edit was made on' }),
  },
  { additionalProperties: false },
);
export type SlaReviewUpdate = Static<typeof SlaReviewUpdateBody>;

export const SlaReviewSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  quarter: Type.String(),
  heldOn: Type.String(),
  attendees: Type.Array(Type.String()),
  minutes: Type.String(),
  actions: Type.Array(SlaReviewActionSchema),
  revision: Type.Integer(),
  updatedAt: Type.String(),
});
export type SlaReview = Static<typeof SlaReviewSchema>;

export const SlaReviewsReplySchema = Type.Object({ reviews: Type.Array(SlaReviewSchema) });

export const ReportPeriodRowSchema = Type.Object({
  key: Type.String({ description: 'YYYY-MM or YYYY-Qn' }),
  start: Type.String({ description: 'the period begins, in the report time zone (ISO instant)' }),
  end: Type.String({ description: 'the next period begins' }),
  tiers: Type.Array(TierRowSchema, { description: 'critical, high, normal, low, request' }),
  incidents: Type.Integer({ description: 'incidents opened in the period, all tiers' }),
  requestsFulfilled: Type.Integer(),
  ratings: Type.Integer({ description: 'requests rated in the period' }),
  satisfactionMean: Nullable(Type.Number({ description: '1 to 5' })),
  satisfiedShare: Share('share of ratings of 4 or 5'),
  backlog: Type.Object({
    open: Type.Integer({ description: 'incidents and requests open at the end of the period (or now)' }),
    ageP50Hours: Nullable(Type.Number()),
    ageP90Hours: Nullable(Type.Number()),
  }),
});
export type ReportPeriodRow = Static<typeof ReportPeriodRowSchema>;

export const ServiceReportSchema = Type.Object({
  period: Type.Union([Type.Literal('month'), Type.Literal('quarter')]),
  timeZone: Type.String({ description: "the board's SLA time zone: periods begin at midnight there" }),
  from: Type.String({ description: 'the first period begins (ISO instant)' }),
  to: Type.String({ description: 'the last period ends (ISO instant)' }),
  periods: Type.Array(ReportPeriodRowSchema),
  totals: Type.Array(TierRowSchema, { description: 'the whole window, per tier' }),
  reviews: Type.Array(SlaReviewSchema, { description: 'the SLA reviews of the quarters in the window' }),
});
export type ServiceReport = Static<typeof ServiceReportSchema>;
