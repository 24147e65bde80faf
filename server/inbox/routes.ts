/**
 * Inbox routes: /api/inbox/… is the signed-in person's own inbox; the watch toggle sits on the card
 * (/api/boards/:boardId/cards/:cardId/watch) like the card's other routes.
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  InboxPageSchema,
  InboxQuerySchema,
  InboxUnreadSchema,
  WatchBody,
  WatchSchema,
} from '../../protocol/inbox.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { InboxService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const CardParams = Type.Object({ boardId: Uuid, cardId: Uuid });
const tags = ['inbox'];

export const inboxRoutes: FastifyPluginAsyncTypebox<{ inbox: InboxService }> = async (app, { inbox }) => {
  app.get(
    '/api/inbox',
    {
      schema: {
        tags,
        summary:
          'Your notifications, latest first (assigned, mentioned, SLA, hyper-care, cards you watch), with your unread count',
        querystring: InboxQuerySchema,
        response: { 200: InboxPageSchema, ...errors },
      },
    },
    async (req) => inbox.list(actor(req), req.query),
  );
  app.get(
    '/api/inbox/unread',
    {
      schema: {
        tags,
        summary: 'How many of your notifications are unread',
        response: { 200: InboxUnreadSchema, ...errors },
      },
    },
    async (req) => inbox.unread(actor(req)),
  );
  app.post(
    '/api/inbox/read',
    {
      schema: {
        tags,
        summary: 'Mark all your notifications read',
        response: { 200: InboxUnreadSchema, ...errors },
      },
    },
    async (req) => inbox.markAllRead(actor(req)),
  );
  app.post(
    '/api/inbox/:notificationId/read',
    {
      schema: {
        tags,
        summary: 'Mark one of your notifications read (404 when it is not yours)',
        params: Type.Object({ notificationId: Uuid }),
        response: { 200: InboxUnreadSchema, ...errors },
      },
    },
    async (req) => inbox.markRead(actor(req), req.params.notificationId),
  );
  app.get(
    '/api/boards/:boardId/cards/:cardId/watch',
    {
      schema: {
        tags,
        summary: 'Whether you watch this card (told in your inbox when others change it)',
        params: CardParams,
        response: { 200: WatchSchema, ...errors },
      },
    },
    async (req) => inbox.watching(actor(req), req.params.boardId, req.params.cardId),
  );
  app.put(
    '/api/boards/:boardId/cards/:cardId/watch',
    {
      schema: {
        tags,
        summary:
          'Watch or stop watching this card. Creating a card, being assigned it or commenting on it watches it too.',
        params: CardParams,
        body: WatchBody,
        response: { 200: WatchSchema, ...errors },
      },
    },
    async (req) => inbox.setWatching(actor(req), req.params.boardId, req.params.cardId, req.body.watching),
  );
};
