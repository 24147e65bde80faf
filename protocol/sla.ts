/**
 * SLA tiers and clocks on the wire (issue 20): the board's SLA document (priority matrix, targets and
 * their calendars), a card's clocks as the server computes them, and the small change a person makes
 * to a clock (waiting on someone, impact and urgency). The rules: server/domain/sla.ts.
 */
import { type Static, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

export const SLA_TIERS = ['critical', 'high', 'normal', 'low'] as const;
export type SlaTier = (typeof SLA_TIERS)[number];
export const SlaTierSchema = Type.Enum([...SLA_TIERS], { description: SLA_TIERS.join(' | ') });

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const Clock = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  description: 'HH:MM local time; 24:00 ends a day',
});
export const HoursWindowSchema = Type.Object(
  { from: Clock, to: Clock },
  { additionalProperties: false, description: 'from < to, within one day' },
);
const DayHours = Type.Array(HoursWindowSchema, { maxItems: 6 });

export const CalendarSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('24x7') }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('business'),
        timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Europe/London' }),
        hours: Type.Object(
          Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(DayHours)])) as Record<
            Weekday,
            ReturnType<typeof Type.Optional<typeof DayHours>>
          >,
          { additionalProperties: false, description: 'open hours per weekday; a day left out is closed' },
        ),
        holidays: Type.Array(Type.String({ format: 'date' }), {
          maxItems: 400,
          description: 'closed days (YYYY-MM-DD, in the time zone)',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: '24x7, or business hours in a time zone with holidays' },
);
export type Calendar = Static<typeof CalendarSchema>;
export type BusinessCalendar = Extract<Calendar, { kind: 'business' }>;

const Minutes = Type.Number({ description: 'minutes of calendar time; more than 0' });
export const SlaTargetSchema = Type.Object(
  { responseMinutes: Minutes, resolutionMinutes: Minutes, calendar: CalendarSchema },
  { additionalProperties: false },
);
export type SlaTarget = Static<typeof SlaTargetSchema>;

export const SlaDocumentSchema = Type.Object(
  {
    matrix: Type.Array(Type.Array(SlaTierSchema, { minItems: 3, maxItems: 4 }), {
      minItems: 3,
      maxItems: 4,
      description:
        'priority by impact (row) × urgency (column), 1 = highest; 3×3 or 4×4, e.g. matrix[0][0] = critical',
    }),
    tiers: Type.Object(
      {
        critical: SlaTargetSchema,
        high: SlaTargetSchema,
        normal: SlaTargetSchema,
        low: SlaTargetSchema,
      },
      { additionalProperties: false },
    ),
    request: SlaTargetSchema,
  },
  { additionalProperties: false },
);
export type SlaDocument = Static<typeof SlaDocumentSchema>;

export const SlaDocumentReplySchema = Type.Object({
  document: SlaDocumentSchema,
  revision: Type.Integer({ description: '0 while the board uses the default document' }),
});
export type SlaDocumentReply = Static<typeof SlaDocumentReplySchema>;

export const CLOCK_STATUSES = ['ok', 'warning', 'breached', 'met', 'paused'] as const;
export type ClockStatus = (typeof CLOCK_STATUSES)[number];

export const SlaClockViewSchema = Type.Object({
  targetMinutes: Type.Number(),
  elapsedMs: Type.Number({ description: 'calendar time counted so far (pauses and closed hours left out)' }),
  leftMs: Type.Number({ description: 'until the breach; negative once breached' }),
  warningAt: Nullable(
    Type.String({ description: '75% of the target; null while it cannot be known (paused)' }),
  ),
  breachAt: Nullable(Type.String({ description: '100% of the target, the deadline' })),
  metAt: Nullable(Type.String()),
  status: Type.Enum([...CLOCK_STATUSES], { description: CLOCK_STATUSES.join(' | ') }),
});
export type SlaClockView = Static<typeof SlaClockViewSchema>;

export const WAITING_ON = ['customer', 'third_party'] as const;
export type WaitingOn = (typeof WAITING_ON)[number];

export const CardSlaSchema = Type.Object({
  cardId: Uuid,
  kind: Type.Enum(['incident', 'request'], { description: 'incident | request (service request)' }),
  tier: SlaTierSchema,
  impact: Nullable(Type.Integer()),
  urgency: Nullable(Type.Integer()),
  waiting: Nullable(Type.Enum([...WAITING_ON])),
  startedAt: Type.String(),
  resolvedAt: Nullable(Type.String()),
  response: SlaClockViewSchema,
  resolution: SlaClockViewSchema,
  nextDueAt: Nullable(Type.String({ description: 'the next warning or breach the server will announce' })),
});
export type CardSla = Static<typeof CardSlaSchema>;

export const SlaClocksReplySchema = Type.Object({ clocks: Type.Array(CardSlaSchema), at: Type.String() });

export const CardSlaChangeBody = Type.Object(
  {
    waiting: Type.Optional(
      Nullable(Type.Enum([...WAITING_ON], { description: 'customer | third_party pauses; null resumes' })),
    ),
    impact: Type.Optional(Type.Integer({ description: '1 (highest) to the matrix size' })),
    urgency: Type.Optional(Type.Integer({ description: '1 (highest) to the matrix size' })),
  },
  { additionalProperties: false },
);
export type CardSlaChange = Static<typeof CardSlaChangeBody>;

/** The stages a clock announces, in order; each is a board event once. */
export const SLA_STAGES = [
  'response.warning',
  'response.breached',
  'resolution.warning',
  'resolution.breached',
] as const;
export type SlaStage = (typeof SLA_STAGES)[number];
