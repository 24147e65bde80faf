/**
 * Outgoing notifications (issue 16, reused by issues 17 and 20): the wire format of a board's
 * notification targets, their delivery log, and the JSON envelope a `json` target receives.
 * docs/notifications.md describes the formats and how a receiver verifies the signature.
 */
import { type Static, type TEnum, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

/** What a target can subscribe to: `<subject>.<what happened>`. */
export const NOTIFICATION_KINDS = [
  'release.created',
  'release.state_changed',
  'hypercare.changed',
  'hypercare.incident',
  'sla.warning',
  'sla.breached',
  'oncall.paged',
  'oncall.acknowledged',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** The kind of a "send test" delivery; not something a target subscribes to. */
export const TEST_KIND = 'notification.test';

export const NOTIFICATION_FORMATS = ['json', 'slack', 'pagerduty'] as const;
export type NotificationFormat = (typeof NOTIFICATION_FORMATS)[number];

const lit = <const T extends readonly string[]>(values: T, description?: string): TEnum<[...T]> =>
  Type.Enum([...values], description ? { description } : {}) as TEnum<[...T]>;

export const NotificationKindSchema = lit(NOTIFICATION_KINDS, NOTIFICATION_KINDS.join(' | '));
export const NotificationFormatSchema = lit(
  NOTIFICATION_FORMATS,
  'json (our envelope) | slack (incoming webhook: Slack, Mattermost, Rocket.Chat) | pagerduty (Events API v2)',
);

const Name = Type.String({ minLength: 1, maxLength: 80, pattern: '\\S' });
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'http:// or https:// URL' });
const RoutingKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'PagerDuty integration (routing) key; required for the pagerduty format, write-only',
});

export const NotificationTargetSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  name: Type.String(),
  url: Type.String(),
  format: NotificationFormatSchema,
  events: Type.Array(NotificationKindSchema),
  enabled: Type.Boolean(),
  /** a routing key is stored (it is never shown again) */
  hasRoutingKey: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type NotificationTarget = Static<typeof NotificationTargetSchema>;

export const CreatedNotificationTargetSchema = Type.Object({
  target: NotificationTargetSchema,
  secret: Type.String({ description: 'the signing secret, shown this once' }),
});
export type CreatedNotificationTarget = Static<typeof CreatedNotificationTargetSchema>;

export const CreateNotificationTargetBody = Type.Object(
  {
    name: Name,
    url: Url,
    format: NotificationFormatSchema,
    events: Type.Array(NotificationKindSchema, { minItems: 1, maxItems: 20 }),
    enabled: Type.Optional(Type.Boolean()),
    routingKey: Type.Optional(RoutingKey),
  },
  { additionalProperties: false },
);
export type CreateNotificationTargetInput = Static<typeof CreateNotificationTargetBody>;

export const UpdateNotificationTargetBody = Type.Object(
  {
    name: Type.Optional(Name),
    url: Type.Optional(Url),
    format: Type.Optional(NotificationFormatSchema),
    events: Type.Optional(Type.Array(NotificationKindSchema, { minItems: 1, maxItems: 20 })),
    enabled: Type.Optional(Type.Boolean()),
    routingKey: Type.Optional(Nullable(RoutingKey)),
  },
  { additionalProperties: false },
);
export type UpdateNotificationTargetInput = Static<typeof UpdateNotificationTargetBody>;

export const DELIVERY_STATUSES = ['pending', 'sending', 'retrying', 'delivered', 'failed'] as const;
export type NotificationDeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const NotificationDeliverySchema = Type.Object({
  id: Uuid,
  targetId: Uuid,
  kind: Type.String({ description: 'a notification kind, or notification.test' }),
  /** the board event it reports; null for a test */
  eventSeq: Nullable(Type.Integer()),
  summary: Type.String(),
  status: lit(DELIVERY_STATUSES),
  attempts: Type.Integer(),
  responseCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  deliveredAt: Nullable(Type.String({ format: 'date-time' })),
});
export type NotificationDelivery = Static<typeof NotificationDeliverySchema>;

/** The release as a notification tells it. */
export const ReleaseNoticeSchema = Type.Object({
  id: Uuid,
  version: Type.String(),
  state: Type.String(),
  previousState: Nullable(Type.String()),
  stream: Type.String(),
  targetDate: Nullable(Type.String()),
  change: Type.String({ description: 'what changed: created, deployed, stopped, live, …' }),
  userActions: Nullable(Type.String({ description: 'what users must do, when the release says' })),
});
export type ReleaseNotice = Static<typeof ReleaseNoticeSchema>;

/** What a `json` target receives: one envelope per delivery (docs/notifications.md). */
export const NotificationEnvelopeSchema = Type.Object({
  /** the delivery id, also in X-Blendboard-Delivery: the same on every retry */
  id: Uuid,
  kind: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  board: Type.Object({ id: Uuid, name: Type.String() }),
  actor: Nullable(Type.String()),
  summary: Type.String(),
  severity: lit(['info', 'warning', 'error', 'critical'] as const),
  /** stable per subject (e.g. one release): PagerDuty's dedup_key, and a receiver's grouping key */
  dedupKey: Type.String(),
  /** whether this opens, acknowledges or closes the subject's alert (PagerDuty's event_action) */
  action: lit(['trigger', 'acknowledge', 'resolve'] as const),
  link: Nullable(Type.String()),
  release: Type.Optional(ReleaseNoticeSchema),
});
export type NotificationEnvelope = Static<typeof NotificationEnvelopeSchema>;
/** A notification before it is addressed: the envelope without the delivery id. */
export type Notice = Omit<NotificationEnvelope, 'id'>;
