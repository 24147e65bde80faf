/**
 * Release outcomes (issue 17): the wire format of the outcomes report, per release, in total and per
 * month of go-live. The rules behind the numbers (cost model, change failure, time to restore,
 * downtime) are documented in server/domain/release-outcomes.ts.
 */
import { type Static, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

/** Days after go-live the report looks at when none is asked for, and the most it looks at. */
export const OUTCOME_WINDOW_DAYS = { default: 14, max: 90 } as const;
/** The report covers the board's latest this many live releases. */
export const OUTCOME_RELEASES = 200;

export const OutcomesQuery = Type.Object({
  windowDays: Type.Optional(
    Type.String({
      pattern: '^\\d{1,4}$',
      description: `days after go-live to count incidents in, default ${OUTCOME_WINDOW_DAYS.default}, 1 to ${OUTCOME_WINDOW_DAYS.max} (more gives ${OUTCOME_WINDOW_DAYS.max})`,
    }),
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'json (default) or csv' }),
  ),
});

export const CostModelSchema = Type.Object({
  model: Type.Union([Type.Literal('day_rate'), Type.Literal('per_point')]),
  dayRate: Type.Number({ minimum: 0 }),
  teamSize: Type.Number({ minimum: 0 }),
  pointCost: Type.Number({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  startFrom: Type.Union([Type.Literal('created'), Type.Literal('first_deployment')]),
});

/** The body that sets a board's cost model (PUT /api/boards/:boardId/release-cost-model). */
export const CostModelBody = Type.Object(
  {
    model: Type.Union([Type.Literal('day_rate'), Type.Literal('per_point')], {
      description:
        'day_rate: day rate × team size × days to go-live; per_point: cost per point × points in scope',
    }),
    dayRate: Type.Number({ minimum: 0, maximum: 1e9, description: 'cost of one person-day' }),
    teamSize: Type.Number({ minimum: 0, maximum: 10_000, description: 'people working on a release' }),
    pointCost: Type.Number({ minimum: 0, maximum: 1e9, description: 'cost of one story point' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
    startFrom: Type.Union([Type.Literal('created'), Type.Literal('first_deployment')], {
      description: "where a release's days start (day_rate): its creation or its first deployment",
    }),
  },
  { additionalProperties: false },
);

export const ReleaseOutcomeSchema = Type.Object({
  releaseId: Uuid,
  version: Type.String(),
  liveAt: Type.String({ format: 'date-time' }),
  month: Type.String({ description: 'YYYY-MM of go-live (UTC)' }),
  incidents: Type.Integer({ description: 'incidents in the window: linked, or sharing one of its services' }),
  linkedIncidents: Type.Integer(),
  downtimeMinutes: Type.Number(),
  cost: Type.Number(),
  failed: Type.Boolean({ description: 'counts toward the change failure rate' }),
  restoreMedianMinutes: Nullable(Type.Number()),
  restoreMeanMinutes: Nullable(Type.Number()),
});

export const OutcomeTotalsSchema = Type.Object({
  releases: Type.Integer(),
  incidents: Type.Integer(),
  downtimeMinutes: Type.Number(),
  cost: Type.Number(),
  costPerRelease: Nullable(Type.Number()),
  changeFailureRate: Nullable(Type.Number({ description: 'share of the live releases that failed, 0 to 1' })),
  restoreMedianMinutes: Nullable(Type.Number()),
  restoreMeanMinutes: Nullable(Type.Number()),
});

export const ReleaseOutcomesSchema = Type.Object({
  windowDays: Type.Integer(),
  costModel: CostModelSchema,
  releases: Type.Array(ReleaseOutcomeSchema),
  totals: OutcomeTotalsSchema,
  trend: Type.Array(Type.Object({ month: Type.String(), ...OutcomeTotalsSchema.properties })),
  reviewsHeld: Type.Array(Type.Object({ quarter: Type.String(), held: Type.Integer() }), {
    description:
      'reviews of the release procedure held in each of the last four quarters, the current one last: how often it is reviewed, as a trend',
  }),
});

export type CostModelBody = Static<typeof CostModelSchema>;
export type CostModelInput = Static<typeof CostModelBody>;
export type ReleaseOutcomes = Static<typeof ReleaseOutcomesSchema>;
