/**
 * The HTTP shapes of the plugin host: loaded plugins, installations and their secrets, the delivery
 * log, webhook acknowledgements and a plugin ticket's details. Used by the routes and the web app.
 */
import { type Static, Type } from 'typebox';
import { Uuid } from '../model.ts';
import { Nullable, oneOf } from './schema-builders.ts';
import { ActionResultSchema, KnownErrorSchema } from './tickets.ts';

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
