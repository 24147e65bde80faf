/**
 * The standard installation config every ticket-raising plugin shares: where tickets land
 * (`routing`: rules, fallback, severity → priority and SLA tier) and what recovery and recurrence do
 * (`lifecycle`), plus filling a config schema's defaults as the host does at install time.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { ClassOfServiceSchema, PrioritySchema, StreamSchema } from '../model.ts';
import { oneOf } from './schema-builders.ts';
import { type Severity, SeveritySchema, TicketKindSchema } from './tickets.ts';

export const RouteTargetSchema = Type.Object(
  {
    stream: StreamSchema,
    lane: ClassOfServiceSchema,
    position: oneOf(['top', 'bottom'] as const),
  },
  { additionalProperties: false },
);
export type RouteTarget = Static<typeof RouteTargetSchema>;

export const RouteRuleSchema = Type.Object(
  {
    when: Type.Object(
      {
        kind: Type.Optional(TicketKindSchema),
        /** 'default' matches the repository's default branch; otherwise a name, '*' as wildcard */
        branch: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
        severity: Type.Optional(Type.Array(SeveritySchema, { minItems: 1 })),
        service: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
    stream: StreamSchema,
    lane: ClassOfServiceSchema,
    position: oneOf(['top', 'bottom'] as const),
  },
  { additionalProperties: false },
);
export type RouteRule = Static<typeof RouteRuleSchema>;

const bySeverity = <T extends TSchema>(value: T, defaults: Record<Severity, unknown>) =>
  Type.Object(
    {
      critical: { ...value, default: defaults.critical },
      high: { ...value, default: defaults.high },
      medium: { ...value, default: defaults.medium },
      low: { ...value, default: defaults.low },
    },
    { additionalProperties: false, default: {} },
  );

export const DEFAULT_PRIORITY_BY_SEVERITY = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
} as const;
export const DEFAULT_SLA_TIER_BY_SEVERITY = { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' } as const;

/** Where tickets land: first matching rule wins, else `fallback`; severity maps to priority and SLA tier. */
export function routingSchema(defaults: { rules?: RouteRule[]; fallback: RouteTarget }) {
  return Type.Object(
    {
      rules: Type.Array(RouteRuleSchema, { maxItems: 50, default: defaults.rules ?? [] }),
      fallback: { ...RouteTargetSchema, default: defaults.fallback },
      priority: bySeverity(PrioritySchema, DEFAULT_PRIORITY_BY_SEVERITY),
      slaTier: bySeverity(Type.String({ minLength: 1, maxLength: 20 }), DEFAULT_SLA_TIER_BY_SEVERITY),
    },
    { additionalProperties: false, default: {} },
  );
}

export const LifecycleSchema = Type.Object(
  {
    /** when the source recovers: move the ticket to done, to review, or only comment on it */
    onRecovery: oneOf(['resolve', 'review', 'annotate'] as const, { default: 'resolve' }),
    /** when it fails again after the ticket was resolved: reopen it, or raise a new linked ticket */
    onRecurrence: oneOf(['reopen', 'new'] as const, { default: 'reopen' }),
    /** the review column's name; default: an in-progress column named like "Review"/"Verify" */
    reviewColumn: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
  },
  { additionalProperties: false, default: {} },
);
export type Lifecycle = Static<typeof LifecycleSchema>;

/** The `routing` and `lifecycle` config fields the host reads when it applies ticket actions. */
export function ticketConfigFields(defaults: { rules?: RouteRule[]; fallback: RouteTarget }) {
  return { routing: routingSchema(defaults), lifecycle: LifecycleSchema };
}
export type TicketRouting = Static<ReturnType<typeof routingSchema>>;

/** Fill in a config schema's defaults (what the host does at install time). */
export function configWithDefaults<S extends TSchema>(schema: S, input: unknown = {}): Static<S> {
  return Value.Default(schema, structuredClone(input ?? {})) as Static<S>;
}
