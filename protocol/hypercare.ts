/**
 * Hyper-care and handover: the wire format of the hyper-care API (issue 17). The rules behind it are
 * in server/domain/hypercare.ts.
 */
import { type Static, type TEnum, Type } from 'typebox';
import { Nullable, StreamSchema, Uuid } from './model.ts';

const oneOf = <const T extends readonly string[]>(values: T): TEnum<[...T]> =>
  Type.Enum([...values], { description: values.join(' | ') }) as TEnum<[...T]>;

export const HYPERCARE_STATES = ['active', 'extended', 'exited'] as const;
export const HANDOVER_POINTS = ['pre_production', 'shadow', 'go_live', 'end_of_hypercare'] as const;
export const HANDOVER_STATES = ['open', 'submitted', 'accepted', 'rejected'] as const;
export const DECISION_KINDS = [
  'started',
  'item',
  'submitted',
  'accepted',
  'rejected',
  'extended',
  'exited',
  'exited_early',
] as const;

export const HandoverPointSchema = oneOf(HANDOVER_POINTS);
/** Days, fractions allowed (a minor change may have twelve hours of hyper-care). */
const Days = Type.Number({ exclusiveMinimum: 0, maximum: 365 });
const Reason = Type.String({ minLength: 1, maxLength: 2000 });
const ItemKey = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
  description: 'lower-case letters, digits, _ and -, 1–40 characters',
});

export const ChecklistItemSchema = Type.Object({
  key: Type.String(),
  label: Type.String(),
  done: Type.Boolean(),
});

export const HypercareDecisionSchema = Type.Object({
  kind: oneOf(DECISION_KINDS),
  by: Type.Object({ id: Nullable(Uuid), label: Type.String() }),
  at: Type.String({ format: 'date-time' }),
  reason: Type.String(),
  endsAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const HypercareSchema = Type.Object({
  releaseId: Uuid,
  boardId: Uuid,
  version: Type.String(),
  state: oneOf(HYPERCARE_STATES),
  startedAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  exitedAt: Nullable(Type.String({ format: 'date-time' })),
  ownerStream: StreamSchema,
  handoverPoint: HandoverPointSchema,
  handover: oneOf(HANDOVER_STATES),
  checklist: Type.Array(ChecklistItemSchema),
  decisions: Type.Array(HypercareDecisionSchema, { description: 'immutable history, oldest first' }),
  revision: Type.Integer(),
});
export type Hypercare = Static<typeof HypercareSchema>;

export const HypercareSettingsSchema = Type.Object(
  {
    windowDays: Days,
    extensionDays: Type.Number({
      exclusiveMinimum: 0,
      maximum: 365,
      description: 'how long an automatic extension lasts when the exit criteria fail at the end',
    }),
    handoverPoint: HandoverPointSchema,
    checklist: Type.Array(
      Type.Object({ key: ItemKey, label: Type.String({ minLength: 1, maxLength: 200 }) }),
      {
        minItems: 1,
        maxItems: 30,
      },
    ),
  },
  { additionalProperties: false },
);
export type HypercareSettings = Static<typeof HypercareSettingsSchema>;

/**
 * Per release, set before go-live: its window (else the board's), its handover point (else the
 * board's), and the services or components it changes: an incident a plugin raises for one of them
 * is linked to the release (the most recent live one naming it).
 */
export const HypercarePlanSchema = Type.Object(
  {
    windowDays: Type.Optional(Nullable(Days)),
    handoverPoint: Type.Optional(Nullable(HandoverPointSchema)),
    services: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
export type HypercarePlan = Static<typeof HypercarePlanSchema>;

export const ChecklistTickBody = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: 40 }), done: Type.Boolean() },
  { additionalProperties: false },
);
export const NoteBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export const ReasonBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const ExtendBody = Type.Object(
  { endsAt: Type.String({ format: 'date-time' }), reason: Reason },
  { additionalProperties: false },
);
export const LinkIncidentBody = Type.Object({ cardId: Uuid }, { additionalProperties: false });

/** A ticket linked to a release: where it landed, and whether it is the builders' (hyper-care). */
export const HypercareIncidentSchema = Type.Object({
  releaseId: Uuid,
  version: Type.String(),
  cardId: Uuid,
  cardKey: Type.String(),
  stream: StreamSchema,
  hypercare: Type.Boolean({
    description: 'true: in hyper-care, the owning team is told and it is expedited',
  }),
  ownerStream: StreamSchema,
});
export type HypercareIncident = Static<typeof HypercareIncidentSchema>;
