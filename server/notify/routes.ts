/** Notification target routes: thin wrappers over NotificationService. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CreatedNotificationTargetSchema,
  CreateNotificationTargetBody,
  NotificationDeliverySchema,
  NotificationTargetSchema,
  UpdateNotificationTargetBody,
} from '../../protocol/notifications.ts';
import { actor } from '../auth/http.ts';
import type { NotificationService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const TargetParams = Type.Object({ boardId: Uuid, targetId: Uuid });
const tags = ['notifications'];
const base = '/api/boards/:boardId/notification-targets';

export const notificationRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationService }> = async (
  app,
  { notifications },
) => {
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'The board’s notification targets (board admins and product owners)',
        params: BoardParams,
        response: { 200: Type.Array(NotificationTargetSchema), ...errors },
      },
    },
    async (req) => notifications.list(actor(req), req.params.boardId),
  );
  app.post(
    base,
    {
      schema: {
        tags,
        summary:
          'Add a target: an http(s) URL, a format (json, slack, pagerduty) and the kinds it hears. The signing secret is in this reply only.',
        params: BoardParams,
        body: CreateNotificationTargetBody,
        response: { 201: CreatedNotificationTargetSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await notifications.create(actor(req), req.params.boardId, req.body)),
  );
  app.patch(
    `${base}/:targetId`,
    {
      schema: {
        tags,
        summary: 'Change a target: name, URL, format, kinds, enabled, routing key',
        params: TargetParams,
        body: UpdateNotificationTargetBody,
        response: { 200: NotificationTargetSchema, ...errors },
      },
    },
    async (req) => notifications.update(actor(req), req.params.boardId, req.params.targetId, req.body),
  );
  app.delete(
    `${base}/:targetId`,
    {
      schema: {
        tags,
        summary: 'Remove a target and its delivery log',
        params: TargetParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await notifications.remove(actor(req), req.params.boardId, req.params.targetId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    `${base}/:targetId/deliveries`,
    {
      schema: {
        tags,
        summary: 'The target’s recent deliveries, newest first: status, response code, attempts, last error',
        params: TargetParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.String({ pattern: '^(?:[1-9]|[1-9]\\d|1\\d\\d|200)$', description: '1–200' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(NotificationDeliverySchema), ...errors },
      },
    },
    async (req) =>
      notifications.deliveries(
        actor(req),
        req.params.boardId,
        req.params.targetId,
        Number(req.query.limit ?? 50),
      ),
  );
  app.post(
    `${base}/:targetId/test`,
    {
      schema: {
        tags,
        summary: 'Queue a signed test notification to the target; it appears in the delivery log',
        params: TargetParams,
        response: { 202: NotificationDeliverySchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send(await notifications.sendTest(actor(req), req.params.boardId, req.params.targetId)),
  );
};
