/**
 * Feature flags on the wire: the flag catalogue with its overrides, the audit log, the body that
 * changes an override, the flags evaluated for a board and the socket frame that says flags changed.
 *
 * A flag has a type and a default; an override sets its value for a scope: the whole installation
 * (no board, no role), a board, a role (on every board), or a role on one board. The most specific
 * override that matches wins (server/domain/flags.ts).
 */
import { type Static, Type } from 'typebox';
import { RoleSchema, Uuid } from './model.ts';

export const FLAG_TYPES = ['boolean', 'string', 'number'] as const;
export type FlagType = (typeof FLAG_TYPES)[number];
export const FlagTypeSchema = Type.Enum([...FLAG_TYPES], { description: FLAG_TYPES.join(' | ') });

export const FlagValue = Type.Union([Type.Boolean(), Type.String({ maxLength: 500 }), Type.Number()]);
export type FlagValue = boolean | string | number;

export const FlagKey = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,62}$',
  description: 'lower-case letters, digits and dashes, starting with a letter',
});

/** Where an override applies: null board = every board, null role = every role. */
export const FlagScope = Type.Object({
  boardId: Type.Union([Uuid, Type.Null()]),
  role: Type.Union([RoleSchema, Type.Null()]),
});
export type FlagScope = Static<typeof FlagScope>;

export const FlagOverrideSchema = Type.Object({
  ...FlagScope.properties,
  value: FlagValue,
  updatedAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
});
export type FlagOverride = Static<typeof FlagOverrideSchema>;

export const FlagSchema = Type.Object({
  key: FlagKey,
  description: Type.String(),
  type: FlagTypeSchema,
  defaultValue: FlagValue,
  overrides: Type.Array(FlagOverrideSchema),
});
export type Flag = Static<typeof FlagSchema>;

export const FlagAuditEntrySchema = Type.Object({
  id: Type.Integer(),
  flagKey: FlagKey,
  ...FlagScope.properties,
  /** null: there was no override before (old) or the override was removed (new) */
  oldValue: Type.Union([FlagValue, Type.Null()]),
  newValue: Type.Union([FlagValue, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  actorId: Type.Union([Uuid, Type.Null()]),
  actorName: Type.String(),
  at: Type.String({ format: 'date-time' }),
});
export type FlagAuditEntry = Static<typeof FlagAuditEntrySchema>;

/** PUT /api/flags/:key/overrides: set (or with `value: null`, remove) the override of one scope. */
export const SetFlagOverrideBody = Type.Object(
  {
    boardId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    role: Type.Optional(Type.Union([RoleSchema, Type.Null()])),
    value: Type.Union([FlagValue, Type.Null()], {
      description: "the flag's type (boolean, string or number); null removes the override",
    }),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'why, kept in the audit log' })),
  },
  { additionalProperties: false },
);
export type SetFlagOverrideBody = Static<typeof SetFlagOverrideBody>;

/** The flags as they apply to the caller (on a board, when one is named). */
export const EvaluatedFlagsSchema = Type.Object({
  boardId: Type.Union([Uuid, Type.Null()]),
  role: Type.Union([RoleSchema, Type.Null()]),
  flags: Type.Record(Type.String(), FlagValue),
});
export type EvaluatedFlags = Static<typeof EvaluatedFlagsSchema>;

/** Pushed to every socket when an override changes: clients fetch their evaluated flags again. */
export interface FlagsChangedFrame {
  keys: string[];
}

/**
 * The flag over the service desk (SLA clocks, on-call, problems and known errors, the request portal):
 * off, their routes answer 404 naming it and the board hides their screens; the clocks and
 * escalations keep running, and machine input (alerts, mailed requests) still lands on the board.
 */
export const SERVICE_DESK_FLAG = 'service-desk';
