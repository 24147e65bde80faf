/** Card routes: thin wrappers over CardService. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { BoardEventSchema, CardCommentSchema } from '../../protocol/events.ts';
import {
  BulkMoveBody,
  CardSchema,
  CreateCardBody,
  ErrorSchema,
  MoveCardBody,
  UpdateCardBody,
  Uuid,
} from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { CardService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const CardParams = Type.Object({ boardId: Uuid, cardId: Uuid });
// One contract: the comment a route answers is the comment a `card.commented` event carries.
const Comment = CardCommentSchema;

export const cardRoutes: FastifyPluginAsyncTypebox<{ cards: CardService }> = async (app, { cards }) => {
  app.get(
    '/api/boards/:boardId/cards',
    {
      schema: {
        tags: ['cards'],
        summary: 'All cards in backlog rank order',
        params: BoardParams,
        response: { 200: Type.Array(CardSchema), ...errors },
      },
    },
    async (req) => cards.list(actor(req), req.params.boardId),
  );

  app.post(
    '/api/boards/:boardId/cards',
    {
      schema: {
        tags: ['cards'],
        summary: 'Create a card in the backlog',
        params: BoardParams,
        body: CreateCardBody,
        response: { 201: CardSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await cards.create(actor(req), req.params.boardId, req.body)),
  );

  app.get(
    '/api/boards/:boardId/cards/:cardId',
    {
      schema: {
        tags: ['cards'],
        summary: 'One card',
        params: CardParams,
        response: { 200: CardSchema, ...errors },
      },
    },
    async (req) => cards.get(actor(req), req.params.boardId, req.params.cardId),
  );

  app.patch(
    '/api/boards/:boardId/cards/:cardId',
    {
      schema: {
        tags: ['cards'],
        summary:
          'Edit a card. Send the version you edited; a stale version is refused with 409 STALE_VERSION and the current card',
        params: CardParams,
        body: UpdateCardBody,
        response: { 200: CardSchema, ...errors },
      },
    },
    async (req) => cards.update(actor(req), req.params.boardId, req.params.cardId, req.body),
  );

  app.post(
    '/api/boards/:boardId/cards/:cardId/move',
    {
      schema: {
        tags: ['cards'],
        summary:
          "Re-rank and/or move a card to a column, sprint or stream. WIP limits are enforced (409 WIP_LIMIT_REACHED). Under overload the move is refused at once: 503 OVERLOADED with Retry-After (s) and retryAfterMs; past the mover's own allowance (MOVES_PER_SECOND_PER_PERSON) the same answer as a 429",
        params: CardParams,
        body: MoveCardBody,
        response: {
          200: Type.Object({
            card: CardSchema,
            event: BoardEventSchema,
            warning: Type.Optional(Type.String()),
          }),
          ...errors,
          429: ErrorSchema,
          503: ErrorSchema,
        },
      },
    },
    async (req) => cards.move(actor(req), req.params.boardId, req.params.cardId, req.body),
  );

  app.delete(
    '/api/boards/:boardId/cards/:cardId',
    {
      schema: {
        tags: ['cards'],
        summary: 'Delete a card',
        params: CardParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await cards.remove(actor(req), req.params.boardId, req.params.cardId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/boards/:boardId/cards/:cardId/history',
    {
      schema: {
        tags: ['cards'],
        summary: 'Who changed what and when, newest first',
        params: CardParams,
        response: { 200: Type.Array(BoardEventSchema), ...errors },
      },
    },
    async (req) => cards.history(actor(req), req.params.boardId, req.params.cardId),
  );

  app.get(
    '/api/boards/:boardId/cards/:cardId/comments',
    {
      schema: {
        tags: ['cards'],
        summary: 'Comments, oldest first',
        params: CardParams,
        response: { 200: Type.Array(Comment), ...errors },
      },
    },
    async (req) => cards.comments(actor(req), req.params.boardId, req.params.cardId),
  );

  app.post(
    '/api/boards/:boardId/cards/:cardId/comments',
    {
      schema: {
        tags: ['cards'],
        summary: 'Add a comment, or an internal note the requester of a service request never sees',
        params: CardParams,
        body: Type.Object(
          {
            body: Type.String({ minLength: 1, maxLength: 10_000 }),
            internal: Type.Optional(
              Type.Boolean({ description: 'true: a note for the team (default false, a public reply)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Comment, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(
          await cards.comment(
            actor(req),
            req.params.boardId,
            req.params.cardId,
            req.body.body,
            req.body.internal,
          ),
        ),
  );

  app.post(
    '/api/boards/:boardId/cards/bulk-move',
    {
      schema: {
        tags: ['cards'],
        summary:
          'Move several cards at once: to the top or bottom of the backlog (keeping their order), into a sprint, or to a stream',
        params: BoardParams,
        body: BulkMoveBody,
        response: { 200: Type.Array(CardSchema), ...errors },
      },
    },
    async (req) => cards.bulkMove(actor(req), req.params.boardId, req.body),
  );

  app.post(
    '/api/boards/:boardId/columns/:columnId/pull',
    {
      schema: {
        tags: ['cards'],
        summary:
          'Kanban pull: take the top unblocked maintenance backlog item (expedite first) into this column, assigned to you',
        params: Type.Object({ boardId: Uuid, columnId: Uuid }),
        response: {
          200: Type.Object({
            card: CardSchema,
            event: BoardEventSchema,
            warning: Type.Optional(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (req) => cards.pull(actor(req), req.params.boardId, req.params.columnId),
  );
};
