/**
 * On-call and escalation (issue 20): the wire format of rotas, their overrides and swaps, who is on
 * duty now, service history, escalation policies, escalations and the alert-noise report. The rules
 * behind it are in server/domain/oncall.ts.
 */
import { type Static, Type } from 'typebox';
import { DateOnly, Nullable, PrioritySchema, Uuid } from './model.ts';

const LocalTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'local time HH:mm' });
const Zone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'an IANA time zone, e.g. Europe/London',
});
const Instant = Type.String({ format: 'date-time' });
const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });

export const DutySchema = Type.Union([Type.Literal('ams'), Type.Literal('development')], {
  description: 'ams (live support, the maintenance stream) | development',
});

export const WeeklyPatternSchema = Type.Object(
  {
    kind: Type.Literal('weekly'),
    zone: Zone,
    handoffWeekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 Monday … 7 Sunday' }),
    handoffTime: LocalTime,
  },
  { additionalProperties: false },
);
export const CustomPatternSchema = Type.Object(
  {
    kind: Type.Literal('custom'),
    zone: Zone,
    startTime: LocalTime,
    shiftHours: Type.Array(Type.Number({ minimum: 1, maximum: 336 }), {
      minItems: 1,
      maxItems: 14,
      description: 'shift lengths in hours, repeated in turn (e.g. [12, 12] for day and night)',
    }),
  },
  { additionalProperties: false },
);
export const RegionalShiftSchema = Type.Object(
  {
    name: Name,
    zone: Zone,
    start: LocalTime,
    end: LocalTime,
    members: Type.Array(Uuid, { minItems: 1, maxItems: 50, description: 'take the shift one a day in turn' }),
  },
  { additionalProperties: false },
);
/** The most regions a follow-the-sun rota hands off between (the rota editor offers no more). */
export const MAX_SUN_REGIONS = 6;
export const FollowTheSunPatternSchema = Type.Object(
  {
    kind: Type.Literal('follow_the_sun'),
    shifts: Type.Array(RegionalShiftSchema, { minItems: 1, maxItems: MAX_SUN_REGIONS }),
  },
  { additionalProperties: false },
);
export type RegionalShift = Static<typeof RegionalShiftSchema>;
export const ShiftPatternSchema = Type.Union([
  WeeklyPatternSchema,
  CustomPatternSchema,
  FollowTheSunPatternSchema,
]);

export const CoverSchema = Type.Object({
  id: Uuid,
  kind: Type.Union([Type.Literal('override'), Type.Literal('swap')]),
  userId: Uuid,
  withUserId: Nullable(Uuid),
  from: Instant,
  to: Instant,
});
export type Cover = Static<typeof CoverSchema>;

export const RotaSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  name: Type.String(),
  duty: DutySchema,
  rotation: Type.Boolean({ description: 'development↔AMS: members off the AMS shift serve development' }),
  members: Type.Array(Uuid),
  pattern: ShiftPatternSchema,
  startDate: Type.String({ format: 'date' }),
  covers: Type.Array(CoverSchema, { description: 'overrides and swaps not yet over' }),
  revision: Type.Integer(),
});
export type Rota = Static<typeof RotaSchema>;

export const RotaBody = Type.Object(
  {
    name: Name,
    duty: DutySchema,
    rotation: Type.Optional(Type.Boolean()),
    members: Type.Array(Uuid, { minItems: 1, maxItems: 50 }),
    pattern: ShiftPatternSchema,
    startDate: DateOnly,
  },
  { additionalProperties: false },
);
export type RotaInput = Static<typeof RotaBody>;

export const CoverBody = Type.Union([
  Type.Object(
    { kind: Type.Literal('override'), userId: Uuid, from: Instant, to: Instant },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('swap'), userId: Uuid, withUserId: Uuid, from: Instant, to: Instant },
    { additionalProperties: false },
  ),
]);
export type CoverInput = Static<typeof CoverBody>;

const Person = Type.Object({ userId: Uuid, name: Type.String() });

export const ShiftSchema = Type.Object({
  userId: Uuid,
  name: Type.String(),
  from: Instant,
  to: Instant,
  region: Type.Optional(Type.String()),
  cover: Type.Optional(Type.Union([Type.Literal('override'), Type.Literal('swap')])),
});
export type Shift = Static<typeof ShiftSchema>;

export const OnDutyNowSchema = Type.Object({
  rotaId: Uuid,
  rotaName: Type.String(),
  duty: DutySchema,
  onDuty: Nullable(ShiftSchema),
  next: Nullable(ShiftSchema),
});
export type OnDutyNow = Static<typeof OnDutyNowSchema>;

export const TimelineQuery = Type.Object({ from: Instant, to: Instant }, { additionalProperties: false });

export const ServicePeriodSchema = Type.Object({
  rotaId: Uuid,
  rotaName: Type.String(),
  duty: DutySchema,
  from: Instant,
  to: Instant,
});
export const ServiceHistorySchema = Type.Object({
  userId: Uuid,
  name: Type.String(),
  periods: Type.Array(ServicePeriodSchema),
  hours: Type.Object({ ams: Type.Number(), development: Type.Number() }),
});
export type ServiceHistory = Static<typeof ServiceHistorySchema>;

export const EscalationTargetSchema = Type.Union([
  Type.Object({ kind: Type.Literal('on_duty'), rotaId: Uuid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('next_on_duty'), rotaId: Uuid }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('user'), userId: Uuid }, { additionalProperties: false }),
]);
export const EscalationStepSchema = Type.Object(
  {
    target: EscalationTargetSchema,
    afterMinutes: Type.Number({
      minimum: 0,
      maximum: 1440,
      description: 'minutes after the incident was raised, if unacknowledged (fractions allowed: 0.5 = 30 s)',
    }),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  name: Type.String(),
  priorities: Type.Array(PrioritySchema, { description: 'incident priorities that start this escalation' }),
  steps: Type.Array(EscalationStepSchema),
});
export type Policy = Static<typeof PolicySchema>;

export const PolicyBody = Type.Object(
  {
    name: Name,
    priorities: Type.Array(PrioritySchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    steps: Type.Array(EscalationStepSchema, { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type PolicyInput = Static<typeof PolicyBody>;

export const PageSchema = Type.Object({
  step: Type.Integer(),
  userId: Nullable(Uuid),
  name: Nullable(Type.String()),
  at: Instant,
});

export const EscalationSchema = Type.Object({
  cardId: Uuid,
  policyId: Nullable(Uuid),
  triggeredAt: Instant,
  nextStep: Type.Integer(),
  nextAt: Nullable(Instant),
  ackedAt: Nullable(Instant),
  ackedBy: Nullable(Person),
  pages: Type.Array(PageSchema),
});
export type Escalation = Static<typeof EscalationSchema>;

export const AlertNoiseSchema = Type.Object({
  from: Instant,
  sources: Type.Array(
    Type.Object({
      installationId: Uuid,
      pluginId: Type.String(),
      name: Type.String(),
      closed: Type.Integer({ description: 'its tickets closed in the period' }),
      noHumanAction: Type.Integer({
        description: 'of those, closed with no comment, move or edit by a person',
      }),
      share: Type.Number({ description: 'noHumanAction / closed, 0–1' }),
    }),
  ),
});
export type AlertNoise = Static<typeof AlertNoiseSchema>;
