/**
 * Plugin routes, thin wrappers over PluginService and WebhookReceiver:
 * - /api/plugins and /api/boards/:boardId/plugins… (installations, secret, delivery log, replay),
 * - /api/boards/:boardId/plugin-tickets/:cardId (occurrences, links, known-error record),
 * - /hooks/:installationId[/:webhook], the inbound URL tools post to, which takes the RAW body so a
 *   plugin verifies signatures over the exact bytes the sender signed, and is rate-limited per
 *   installation (not per IP: CI runners often share one egress address).
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CreateInstallationBody,
  DeliveryDetailSchema,
  DeliveryListQuery,
  DeliveryPageSchema,
  DeliverySummarySchema,
  InstallationSchema,
  InstallationWithSecretSchema,
  KnownErrorSchema,
  PluginInfoSchema,
  PluginTicketSchema,
  RotateSecretBody,
  UpdateInstallationBody,
  WebhookAckSchema,
} from '../../protocol/plugin.ts';
import { actor } from '../auth/http.ts';
import { AppError } from '../infra/errors.ts';
import type { WebhookReceiver } from './inbound.ts';
import type { PluginService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const InstallationParams = Type.Object({ boardId: Uuid, installationId: Uuid });
const DeliveryParams = Type.Object({ boardId: Uuid, installationId: Uuid, deliveryId: Uuid });
const TicketParams = Type.Object({ boardId: Uuid, cardId: Uuid });
const tags = ['plugins'];

export const pluginRoutes: FastifyPluginAsyncTypebox<{ plugins: PluginService; publicUrl?: string }> = async (
  app,
  { plugins, publicUrl },
) => {
  const baseUrl = (req: FastifyRequest) => publicUrl ?? `${req.protocol}://${req.host}`;

  app.get(
    '/api/plugins',
    {
      schema: {
        tags,
        summary:
          'Plugins loaded on this server (built-in, PLUGIN_DIR, PLUGIN_PACKAGES) with their config schemas',
        response: {
          200: Type.Object({
            plugins: Type.Array(PluginInfoSchema),
            loadErrors: Type.Array(Type.Object({ location: Type.String(), message: Type.String() }), {
              description: 'plugins that failed to load (administrators only)',
            }),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (req) => plugins.available(actor(req)),
  );

  app.get(
    '/api/boards/:boardId/plugins',
    {
      schema: {
        tags,
        summary: 'Plugin installations on a board (plugin:manage: admin, product owner)',
        params: BoardParams,
        response: { 200: Type.Array(InstallationSchema), ...errors },
      },
    },
    async (req) => plugins.list(actor(req), req.params.boardId, baseUrl(req)),
  );

  app.post(
    '/api/boards/:boardId/plugins',
    {
      schema: {
        tags,
        summary:
          'Install a plugin on the board. The config is checked against the plugin schema (defaults filled in). ' +
          'The reply has the inbound URL and the secret, shown only now',
        params: BoardParams,
        body: CreateInstallationBody,
        response: { 201: InstallationWithSecretSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await plugins.install(actor(req), req.params.boardId, req.body, baseUrl(req))),
  );

  app.get(
    '/api/boards/:boardId/plugins/:installationId',
    {
      schema: {
        tags,
        summary: 'One installation',
        params: InstallationParams,
        response: { 200: InstallationSchema, ...errors },
      },
    },
    async (req) => plugins.get(actor(req), req.params.boardId, req.params.installationId, baseUrl(req)),
  );

  app.patch(
    '/api/boards/:boardId/plugins/:installationId',
    {
      schema: {
        tags,
        summary: 'Rename, replace the config, or enable/disable (a disabled installation refuses deliveries)',
        params: InstallationParams,
        body: UpdateInstallationBody,
        response: { 200: InstallationSchema, ...errors },
      },
    },
    async (req) =>
      plugins.update(actor(req), req.params.boardId, req.params.installationId, req.body, baseUrl(req)),
  );

  app.delete(
    '/api/boards/:boardId/plugins/:installationId',
    {
      schema: {
        tags,
        summary: 'Uninstall: the inbound URL stops working and the delivery log goes; tickets stay',
        params: InstallationParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await plugins.uninstall(actor(req), req.params.boardId, req.params.installationId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/boards/:boardId/plugins/:installationId/secret',
    {
      schema: {
        tags,
        summary:
          'Rotate the secret: generated, or the one given (e.g. a signing secret the tool generated). ' +
          'graceMinutes keeps the old one valid meanwhile',
        params: InstallationParams,
        body: RotateSecretBody,
        response: { 200: InstallationWithSecretSchema, ...errors },
      },
    },
    async (req) =>
      plugins.rotateSecret(actor(req), req.params.boardId, req.params.installationId, req.body, baseUrl(req)),
  );

  app.get(
    '/api/boards/:boardId/plugins/:installationId/deliveries',
    {
      schema: {
        tags,
        summary: 'The delivery log, newest first: received time, verification, status and outcome, error',
        params: InstallationParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryPageSchema, ...errors },
      },
    },
    async (req) => plugins.deliveries(actor(req), req.params.boardId, req.params.installationId, req.query),
  );

  app.get(
    '/api/boards/:boardId/plugins/:installationId/deliveries/:deliveryId',
    {
      schema: {
        tags,
        summary: 'One delivery with its payload, headers (credentials removed) and what each action did',
        params: DeliveryParams,
        response: { 200: DeliveryDetailSchema, ...errors },
      },
    },
    async (req) =>
      plugins.delivery(actor(req), req.params.boardId, req.params.installationId, req.params.deliveryId),
  );

  app.post(
    '/api/boards/:boardId/plugins/:installationId/deliveries/:deliveryId/replay',
    {
      schema: {
        tags,
        summary:
          'Process a verified delivery again with the current config (occurrences already counted are not counted twice)',
        params: DeliveryParams,
        response: { 202: DeliverySummarySchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(
          await plugins.replay(
            actor(req),
            req.params.boardId,
            req.params.installationId,
            req.params.deliveryId,
          ),
        ),
  );

  app.get(
    '/api/boards/:boardId/plugin-tickets/:cardId',
    {
      schema: {
        tags,
        summary: 'The plugin side of a card raised by a plugin: occurrences, links, known-error record',
        params: TicketParams,
        response: { 200: PluginTicketSchema, ...errors },
      },
    },
    async (req) => plugins.ticket(actor(req), req.params.boardId, req.params.cardId),
  );

  app.patch(
    '/api/boards/:boardId/plugin-tickets/:cardId/known-error',
    {
      schema: {
        tags,
        summary: "Fill in a problem's known-error record (root cause, workaround)",
        params: TicketParams,
        body: KnownErrorSchema,
        response: { 200: PluginTicketSchema, ...errors },
      },
    },
    async (req) => plugins.setKnownError(actor(req), req.params.boardId, req.params.cardId, req.body),
  );
};

const flat = (o: Record<string, unknown>): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(o))
    out[k] = Array.isArray(v) ? v.join(', ') : v === undefined ? undefined : String(v);
  return out;
};

export const webhookRoutes: FastifyPluginAsyncTypebox<{
  receiver: WebhookReceiver;
  bodyLimit: number;
  /** Requests per minute one installation may receive (WEBHOOK_RATE_LIMIT). */
  ratePerMinute: number;
}> = async (app, { receiver, bodyLimit, ratePerMinute }) => {
  // In this scope only: every body arrives as the exact bytes sent, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
  app.setErrorHandler(async (err: FastifyError, req) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const p = req.params as { installationId?: string; webhook?: string };
      if (p.installationId && /^[0-9a-f-]{36}$/i.test(p.installationId)) {
        await receiver.recordOversize(p.installationId, p.webhook, flat(req.headers));
      }
    }
    throw err; // the app's error handler gives it the one error shape
  });

  // One counter per installation, shared by both URLs and both methods. It runs on request, before
  // the body is read, so a throttled sender costs no parsing, no verification and no row.
  const installationOf = (req: FastifyRequest) =>
    String((req.params as { installationId?: string }).installationId ?? '').toLowerCase();
  const perInstallation = app.rateLimit({
    max: ratePerMinute,
    timeWindow: '1 minute',
    keyGenerator: installationOf,
    errorResponseBuilder: (req, { after }) =>
      new AppError(
        'RATE_LIMITED',
        `installation ${installationOf(req)} is over its limit of ${ratePerMinute} webhook requests per minute; retry in ${after}`,
      ),
  });

  const WebhookParams = Type.Object({
    installationId: Uuid,
    webhook: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$' })),
  });
  for (const url of ['/hooks/:installationId', '/hooks/:installationId/:webhook']) {
    app.route({
      method: ['POST', 'PUT'],
      url,
      bodyLimit,
      config: { public: true },
      onRequest: perInstallation,
      schema: {
        tags: ['webhooks'],
        summary:
          'Inbound webhook for a plugin installation. Verified by the plugin (signature, token or bearer; 401), ' +
          'checked (400), stored durably, then acknowledged: 202 queued, or 200 for a delivery id already received. ' +
          'Over WEBHOOK_RATE_LIMIT requests per minute for one installation: 429 with Retry-After, nothing stored',
        params: WebhookParams,
        security: [],
        response: {
          200: WebhookAckSchema,
          202: WebhookAckSchema,
          401: ErrorSchema,
          404: ErrorSchema,
          413: ErrorSchema,
          429: ErrorSchema,
        },
      },
      handler: async (req, reply) => {
        const params = req.params as { installationId: string; webhook?: string };
        const result = await receiver.receive({
          installationId: params.installationId,
          webhook: params.webhook,
          headers: flat(req.headers),
          query: flat(req.query as Record<string, unknown>),
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        });
        return reply.status(result.status).send(result.body);
      },
    });
  }
};
