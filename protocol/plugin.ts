/**
 * The plugin API, written once: what a plugin module default-exports (`definePlugin`), the narrow
 * context its handlers receive, the ticket actions they can ask for, the standard routing and
 * lifecycle config every ticket-raising plugin shares, and the HTTP shapes of installations and
 * deliveries. Plugins import only from protocol/; nothing here does I/O.
 *
 * How a plugin runs:
 * 1. An admin or product owner installs it on a board with a config (checked against `configSchema`)
 *    and gets an inbound URL `/hooks/<installation id>` and a generated secret.
 * 2. A tool posts to that URL. `verify` checks the raw bytes (401 if it says no), `parse` and
 *    `payloadSchema` check the body (400), the delivery is stored, then acknowledged (202).
 * 3. From a durable queue, `handle` turns the payload into ticket actions through `ctx.tickets`.
 *    The host applies them in one transaction, attributed to `plugin:<id>`. A throw, a timeout or an
 *    invalid result fails the delivery; it is retried with backoff and can be replayed.
 * 4. `hooks` run after board events (a card created, moved, resolved, ...), with the same context.
 */
import { type Static, type TEnum, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import {
  type BoardEvent,
  type Card,
  CardTypeSchema,
  ClassOfServiceSchema,
  PrioritySchema,
  StreamSchema,
  Uuid,
} from './model.ts';

export { type Static, type TSchema, Type };

/** The plugin API version this server speaks. A plugin declares the one it targets. */
export const PLUGIN_API_VERSION = 1 as const;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const oneOf = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TEnum<[...T]> => Type.Enum([...values], { description: values.join(' | '), ...options }) as TEnum<[...T]>;

// ---- Ticket signals and actions ------------------------------------------------------------------

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = oneOf(SEVERITIES);

export const TICKET_KINDS = ['ci_failure', 'incident', 'problem'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const TicketKindSchema = oneOf(TICKET_KINDS);

const DedupKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'stable id of the thing that fails',
});
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Note = Type.String({ maxLength: 5000 });

/** A failing thing, as a plugin sees it: raising it twice updates one ticket. */
export const TicketSignalSchema = Type.Object(
  {
    dedupKey: DedupKey,
    kind: TicketKindSchema,
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    url: Type.Optional(Url),
    severity: Type.Optional(SeveritySchema),
    /** default by kind: ci_failure → defect_automated, incident → incident, problem → problem */
    type: Type.Optional(CardTypeSchema),
    labels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 10 })),
    /** the source's id for this occurrence (run id + attempt, alert start); counted once. Default: the delivery */
    occurrenceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    branch: Type.Optional(Type.String({ maxLength: 300 })),
    onDefaultBranch: Type.Optional(Type.Boolean()),
    service: Type.Optional(Type.String({ maxLength: 200 })),
    fingerprint: Type.Optional(Type.String({ maxLength: 200 })),
    environment: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type TicketSignal = Static<typeof TicketSignalSchema>;

/** Which ticket: a dedup key of this plugin's own tickets, or any card of the board by id. */
export const TicketRefSchema = Type.Union([
  DedupKey,
  Type.Object({ cardId: Uuid }, { additionalProperties: false }),
]);
export type TicketRef = Static<typeof TicketRefSchema>;

export const KnownErrorSchema = Type.Object(
  {
    rootCause: Type.Optional(Type.String({ maxLength: 5000 })),
    workaround: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);
export type KnownError = Static<typeof KnownErrorSchema>;

export const LINK_KINDS = ['relates_to', 'caused_by', 'duplicates', 'recurrence_of', 'problem_for'] as const;
export const LinkKindSchema = oneOf(LINK_KINDS);
export type LinkKind = (typeof LINK_KINDS)[number];

export const TicketActionSchema = Type.Union([
  Type.Object({ op: Type.Literal('raise'), ticket: TicketSignalSchema }, { additionalProperties: false }),
  Type.Object(
    { op: Type.Literal('recover'), ref: TicketRefSchema, note: Type.Optional(Note), url: Type.Optional(Url) },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('resolve'), ref: TicketRefSchema, note: Type.Optional(Note) },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('reopen'), ref: TicketRefSchema, note: Type.Optional(Note) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('comment'),
      ref: TicketRefSchema,
      body: Type.String({ minLength: 1, maxLength: 10_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('update'),
      ref: TicketRefSchema,
      fields: Type.Object(
        {
          title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          description: Type.Optional(Type.String({ maxLength: 10_000 })),
          severity: Type.Optional(SeveritySchema),
          knownError: Type.Optional(KnownErrorSchema),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('link'),
      ref: TicketRefSchema,
      to: Type.Union([
        TicketRefSchema,
        Type.Object(
          { plugin: Type.String({ minLength: 1 }), dedupKey: DedupKey },
          { additionalProperties: false },
        ),
      ]),
      kind: LinkKindSchema,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('ignore'), reason: Type.String({ minLength: 1, maxLength: 500 }) },
    { additionalProperties: false },
  ),
]);
export type TicketAction = Static<typeof TicketActionSchema>;

/** What the host did with one action; shown in the delivery log. */
export const ACTION_RESULTS = [
  'created',
  'updated',
  'reopened',
  'resolved',
  'review',
  'annotated',
  'commented',
  'linked',
  'unchanged',
  'ignored',
] as const;
export const ActionResultSchema = Type.Object({
  op: Type.String(),
  result: oneOf(ACTION_RESULTS),
  dedupKey: Type.Optional(Type.String()),
  cardId: Type.Optional(Uuid),
  cardKey: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type ActionResult = Static<typeof ActionResultSchema>;

/** A plugin's read-only view of one of its tickets. */
export interface TicketView {
  cardId: string;
  key: string;
  title: string;
  dedupKey: string;
  status: 'firing' | 'recovered';
  /** the card sits in a done column */
  resolved: boolean;
  occurrences: number;
  lastSeenAt: string;
}

/** What the host keeps in `card.source` of a ticket a plugin raised (the board shows it live). */
export interface PluginCardSource {
  plugin: string;
  kind: TicketKind;
  url?: string;
  dedupKey: string;
  installationId: string | null;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  status: 'firing' | 'recovered';
  severity: Severity;
  slaTier: string;
  branch?: string;
  service?: string;
  fingerprint?: string;
  environment?: string;
  knownError?: KnownError;
}

// ---- Standard config: routing and lifecycle -----------------------------------------------------

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

// ---- The plugin definition ----------------------------------------------------------------------

/** An inbound HTTP request as the plugin sees it: raw bytes, lower-case header names, query string. */
export interface InboundRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Uint8Array;
  readonly contentType: string;
}

/** What `verify` may use: the installation's secret and config, and constant-time helpers. */
export interface VerifyContext<Config> {
  readonly secret: string;
  readonly config: Config;
  /** HMAC-SHA256 of `data` keyed with the secret */
  hmacSha256(data: Uint8Array | string, encoding?: 'hex' | 'base64'): string;
  /** constant-time comparison (crypto.timingSafeEqual); false when the lengths differ */
  safeEqual(a: string, b: string): boolean;
}

export interface PluginLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** The tickets a handler may touch. Calls are recorded and applied together when the handler returns. */
export interface TicketActions {
  /** create the ticket for `dedupKey`, or count one more occurrence on the open one */
  raise(ticket: TicketSignal): void;
  /** the source is healthy again: comment, then resolve / move to review / only comment, per config */
  recover(ref: TicketRef, info?: { note?: string; url?: string }): void;
  /** move to the stream's done column regardless of config */
  resolve(ref: TicketRef, info?: { note?: string }): void;
  /** back to the top of the backlog */
  reopen(ref: TicketRef, info?: { note?: string }): void;
  comment(ref: TicketRef, body: string): void;
  update(
    ref: TicketRef,
    fields: { title?: string; description?: string; severity?: Severity; knownError?: KnownError },
  ): void;
  link(ref: TicketRef, to: TicketRef | { plugin: string; dedupKey: string }, kind: LinkKind): void;
  /** this plugin's ticket for a dedup key on this board, or null */
  find(dedupKey: string): Promise<TicketView | null>;
}

export interface PluginContext<Config> {
  readonly config: Readonly<Config>;
  readonly installation: { readonly id: string; readonly boardId: string };
  readonly log: PluginLogger;
  readonly tickets: TicketActions;
  /** record why nothing was done (shown in the delivery log) */
  ignore(reason: string): void;
}

export interface WebhookContext<Config> extends PluginContext<Config> {
  readonly delivery: {
    readonly id: string;
    readonly receivedAt: string;
    readonly headers: Readonly<Record<string, string | undefined>>;
  };
}

export interface HookContext<Config> extends PluginContext<Config> {
  readonly event: BoardEvent;
  /**
   * The event's card as it is when the hook runs (null for a deleted card or a board event without
   * one). Read its fields here: a `card.moved` event carries only the card's new place.
   */
  readonly card: Card | null;
}

/** A handler may return nothing or a short summary; anything else fails the delivery. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that simply ends (or returns ctx.ignore()) returns void
export type HandlerResult = void | undefined | { summary?: string };

export class PayloadError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface WebhookHandler<Config, Payload = unknown> {
  description?: string;
  /**
   * Runs first, on the raw bytes, for every request. True accepts; false or a reason refuses with
   * 401 (the request is still logged). Never re-serialise JSON to check a signature.
   */
  verify(req: InboundRequest, ctx: VerifyContext<Config>): boolean | string;
  /** Raw body → payload. Throw PayloadError for a 400. Default: JSON. */
  parse?(req: InboundRequest): Payload;
  /** Checked after parsing; a mismatch is a 400 naming the field. */
  payloadSchema?: TSchema;
  /** The tool's id for this delivery (header or payload). Default: SHA-256 of the body. */
  deliveryId?(req: InboundRequest, payload: Payload): string | undefined;
  /** Turns a verified, stored payload into ticket actions. Runs from the queue, with a timeout. */
  handle(payload: Payload, ctx: WebhookContext<Config>): HandlerResult | Promise<HandlerResult>;
}

/** Board events a plugin can hook. `card.resolved`/`card.reopened` are moves into/out of a done column. */
export const BOARD_HOOKS = [
  'card.created',
  'card.updated',
  'card.moved',
  'card.resolved',
  'card.reopened',
  'card.commented',
  'card.deleted',
  'card.released',
] as const;
export type BoardHookName = (typeof BOARD_HOOKS)[number];

type HookRun<Config> = (
  event: BoardEvent,
  ctx: HookContext<Config>,
) => HandlerResult | Promise<HandlerResult>;
/** Each hook runs after the event is committed, from the queue, with a timeout; its actions apply in one transaction. */
export interface BoardHooks<Config> {
  'card.created'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.updated'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.moved'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.resolved'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.reopened'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.commented'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.deleted'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.released'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
}

export interface PluginDefinition<S extends TSchema = TSchema> {
  /** lower-case letters, digits and dashes; unique among loaded plugins */
  id: string;
  name: string;
  version: string;
  apiVersion: typeof PLUGIN_API_VERSION;
  description?: string;
  /** TypeBox schema of the installation config; defaults are filled in, unknown fields refused */
  configSchema: S;
  /** inbound webhooks by name; the first is served at /hooks/<installation>, each at /hooks/<installation>/<name> */
  webhooks?: Record<string, WebhookHandler<Static<S>>>;
  hooks?: BoardHooks<Static<S>>;
}

/** Identity: gives a plugin module its types. `export default definePlugin({...})`. */
export function definePlugin<S extends TSchema>(plugin: PluginDefinition<S>): PluginDefinition<S> {
  return plugin;
}

// ---- Helpers for verify and handle (pure) ---------------------------------------------------------

/** The credentials of `Authorization: Bearer <token>`, or null. */
export function bearerToken(req: InboundRequest): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] ?? null;
}

/** The password of `Authorization: Basic <base64 user:password>`, or null. */
export function basicAuthPassword(req: InboundRequest): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const decoded = globalThis.atob(m[1]!);
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/**
 * `Authorization: Bearer <secret>`, or `X-Blendboard-Signature: sha256=<hex HMAC-SHA256 of the raw body>`:
 * how the generic JSON formats (and simple third-party plugins) authenticate.
 */
export function verifyBearerOrSignature(req: InboundRequest, ctx: VerifyContext<unknown>): true | string {
  const signature = req.headers['x-blendboard-signature'];
  if (signature) {
    return (
      ctx.safeEqual(signature, `sha256=${ctx.hmacSha256(req.rawBody)}`) ||
      'X-Blendboard-Signature does not match'
    );
  }
  const token = bearerToken(req);
  if (!token) return 'send Authorization: Bearer <secret> or X-Blendboard-Signature: sha256=<hmac>';
  return ctx.safeEqual(token, ctx.secret) || 'the bearer token does not match';
}

/** `*` matches any run of characters, everything else literally (branch and service patterns). */
export function matchesPattern(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

/** The first line of a commit message or text, trimmed to `max` characters. */
export function firstLine(text: string | null | undefined, max = 120): string {
  const line = (text ?? '').split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The dedup key to use after a plugin changed how it builds keys: `key`, unless no ticket has it yet
 * and a ticket raised under the old key (`legacy`) is still open; that one then keeps counting and
 * recovering until it is resolved, and later signals start tickets under `key`.
 */
export async function keyOrOpenLegacy(
  tickets: Pick<TicketActions, 'find'>,
  key: string,
  legacy: string,
): Promise<string> {
  if (legacy === key || (await tickets.find(key))) return key;
  const old = await tickets.find(legacy);
  return old && !old.resolved ? legacy : key;
}

// ---- Recording context (the host's, and the one plugin tests use) --------------------------------

export class PluginContextClosed extends Error {}

export interface ActionRecorder {
  readonly tickets: TicketActions;
  readonly actions: TicketAction[];
  ignore(reason: string): void;
  /** after the handler settles (or times out): later calls throw */
  close(): void;
}

function check(action: TicketAction): TicketAction {
  if (Value.Check(TicketActionSchema, action)) return action;
  // Report against the variant the plugin meant (same `op`), not the whole union.
  const variant = TicketActionSchema.anyOf.find(
    (s) => (s.properties.op as { const?: string }).const === (action as { op?: unknown })?.op,
  );
  const first = variant ? [...Value.Errors(variant, action)][0] : undefined;
  const where = first?.instancePath ? ` at ${first.instancePath}` : '';
  throw new PayloadError(
    `invalid ${String((action as { op?: unknown })?.op)} action${where}: ${first?.message ?? 'not a ticket action'}`,
  );
}

/** Records ticket actions (validated as they are made) for the host to apply in one transaction. */
export function recordActions(
  find: (dedupKey: string) => Promise<TicketView | null> = async () => null,
): ActionRecorder {
  const actions: TicketAction[] = [];
  let closed = false;
  const push = (a: TicketAction) => {
    if (closed)
      throw new PluginContextClosed('the plugin context is closed (the handler returned or timed out)');
    actions.push(check(a));
  };
  const tickets: TicketActions = {
    raise: (ticket) => push({ op: 'raise', ticket }),
    recover: (ref, info = {}) => push({ op: 'recover', ref, ...info }),
    resolve: (ref, info = {}) => push({ op: 'resolve', ref, ...info }),
    reopen: (ref, info = {}) => push({ op: 'reopen', ref, ...info }),
    comment: (ref, body) => push({ op: 'comment', ref, body }),
    update: (ref, fields) => push({ op: 'update', ref, fields }),
    link: (ref, to, kind) => push({ op: 'link', ref, to, kind }),
    find: (dedupKey) => {
      if (closed) return Promise.reject(new PluginContextClosed('the plugin context is closed'));
      return find(dedupKey);
    },
  };
  return {
    tickets,
    actions,
    ignore: (reason) => push({ op: 'ignore', reason }),
    close: () => {
      closed = true;
    },
  };
}

/** A webhook context for unit tests of a plugin: no database, the actions land in `actions`. */
export function testWebhookContext<Config>(
  config: Config,
  options: { find?: (dedupKey: string) => Promise<TicketView | null>; headers?: Record<string, string> } = {},
): WebhookContext<Config> & { actions: TicketAction[] } {
  const recorder = recordActions(options.find);
  const quiet = () => {};
  return {
    config,
    installation: {
      id: '00000000-0000-4000-8000-000000000001',
      boardId: '00000000-0000-4000-8000-000000000002',
    },
    delivery: {
      id: '00000000-0000-4000-8000-000000000003',
      receivedAt: new Date(0).toISOString(),
      headers: options.headers ?? {},
    },
    log: { info: quiet, warn: quiet, error: quiet },
    tickets: recorder.tickets,
    ignore: recorder.ignore,
    actions: recorder.actions,
  };
}

/** Fill in a config schema's defaults (what the host does at install time). */
export function configWithDefaults<S extends TSchema>(schema: S, input: unknown = {}): Static<S> {
  return Value.Default(schema, structuredClone(input ?? {})) as Static<S>;
}

// ---- HTTP: plugins, installations, deliveries, plugin tickets -------------------------------------

export const PluginInfoSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  apiVersion: Type.Integer(),
  description: Type.String(),
  source: oneOf(['builtin', 'directory', 'package'] as const),
  webhooks: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
  hooks: Type.Array(Type.String()),
  configSchema: Type.Unknown({ description: 'JSON Schema of the installation config' }),
  configDefaults: Type.Unknown({ description: 'the config an empty install gets' }),
});
export type PluginInfo = Static<typeof PluginInfoSchema>;

export const InstallationSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  pluginId: Type.String(),
  pluginName: Type.String(),
  /** false when the plugin is no longer loaded on this server (deliveries are refused) */
  available: Type.Boolean(),
  name: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  inboundUrl: Type.String({ description: 'where the tool posts: /hooks/<installation id>' }),
  inboundUrls: Type.Record(Type.String(), Type.String(), { description: 'webhook name → URL' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  secretRotatedAt: Type.String(),
  previousSecretValidUntil: Nullable(Type.String()),
});
export type Installation = Static<typeof InstallationSchema>;

export const InstallationWithSecretSchema = Type.Intersect([
  InstallationSchema,
  Type.Object({
    secret: Type.String({
      description: 'shown only now: the HMAC key, token or bearer credential the tool must send',
    }),
  }),
]);
export type InstallationWithSecret = Static<typeof InstallationWithSecretSchema>;

export const CreateInstallationBody = Type.Object(
  {
    pluginId: Type.String({ minLength: 1, maxLength: 60 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateInstallationInput = Static<typeof CreateInstallationBody>;

export const UpdateInstallationBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    config: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'replaces the whole config' }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateInstallationInput = Static<typeof UpdateInstallationBody>;

export const RotateSecretBody = Type.Object(
  {
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 200,
        description: 'use this secret (e.g. the signing secret PagerDuty generated); default: generate one',
      }),
    ),
    graceMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_080,
        description: 'keep accepting the old secret this long; default 0',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RotateSecretInput = Static<typeof RotateSecretBody>;

export const DELIVERY_STATUSES = ['queued', 'processed', 'failed', 'rejected'] as const;
export const DELIVERY_OUTCOMES = ['created', 'updated', 'reopened', 'resolved', 'ignored'] as const;

export const DeliverySummarySchema = Type.Object({
  id: Uuid,
  installationId: Uuid,
  webhook: Type.String(),
  deliveryKey: Nullable(Type.String({ description: "the tool's delivery id, or sha256:<body hash>" })),
  receivedAt: Type.String(),
  verification: oneOf(['passed', 'failed', 'not_checked'] as const),
  status: oneOf(DELIVERY_STATUSES, {
    description:
      'queued (stored, not yet processed) | processed | failed (see error, retrying) | rejected (401/400/413)',
  }),
  outcome: Nullable(oneOf(DELIVERY_OUTCOMES)),
  httpStatus: Type.Integer({ description: 'what the sender was told' }),
  error: Nullable(Type.String()),
  summary: Nullable(Type.String()),
  attempts: Type.Integer(),
  retrying: Type.Boolean({ description: 'a failed delivery that the queue will try again' }),
  duplicates: Type.Integer({ description: 'copies of this delivery id received after the first' }),
  bodyBytes: Type.Integer(),
  cardIds: Type.Array(Uuid),
  processedAt: Nullable(Type.String()),
  replayable: Type.Boolean(),
});
export type DeliverySummary = Static<typeof DeliverySummarySchema>;

export const DeliveryDetailSchema = Type.Intersect([
  DeliverySummarySchema,
  Type.Object({
    contentType: Nullable(Type.String()),
    headers: Type.Record(Type.String(), Type.String(), { description: 'as received, credentials removed' }),
    payload: Type.Unknown({ description: 'the body as JSON when it parses, else null' }),
    bodyText: Nullable(Type.String({ description: 'the body as text when it is not JSON' })),
    results: Type.Array(ActionResultSchema),
  }),
]);
export type DeliveryDetail = Static<typeof DeliveryDetailSchema>;

export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(oneOf(DELIVERY_STATUSES)),
    outcome: Type.Optional(oneOf(DELIVERY_OUTCOMES)),
    before: Type.Optional(Type.String({ description: 'nextBefore from the previous page' })),
    limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$', description: 'page size, 1-200; default 50' })),
  },
  { additionalProperties: false },
);
export type DeliveryListInput = Static<typeof DeliveryListQuery>;

export const DeliveryPageSchema = Type.Object({
  items: Type.Array(DeliverySummarySchema),
  nextBefore: Nullable(
    Type.String({ description: 'pass as ?before= for older deliveries; null at the end' }),
  ),
});
export type DeliveryPage = Static<typeof DeliveryPageSchema>;

export const WebhookAckSchema = Type.Object({
  deliveryId: Uuid,
  status: oneOf(['queued', 'duplicate'] as const),
});

export const PluginTicketSchema = Type.Object({
  cardId: Uuid,
  pluginId: Type.String(),
  installationId: Nullable(Uuid),
  dedupKey: Type.String(),
  kind: Type.String(),
  status: oneOf(['firing', 'recovered'] as const),
  occurrences: Type.Integer(),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  lastUrl: Nullable(Type.String()),
  knownError: Nullable(KnownErrorSchema),
  recentOccurrences: Type.Array(
    Type.Object({ occurredAt: Type.String(), url: Nullable(Type.String()), deliveryId: Nullable(Uuid) }),
  ),
  links: Type.Array(
    Type.Object({
      cardId: Uuid,
      key: Type.String(),
      title: Type.String(),
      kind: Type.String(),
      direction: oneOf(['outgoing', 'incoming'] as const),
    }),
  ),
});
export type PluginTicket = Static<typeof PluginTicketSchema>;
