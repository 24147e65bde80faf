/**
 * Request portal routes. /api/portal/… is the requester's side (only their own requests, each a 404
 * when it is not theirs); /api/boards/:boardId/requesters is the team's (who may use the portal).
 * The portal is part of the service desk: with the `service-desk` flag off for a board, every route
 * on that board answers 404 naming the flag, and the board leaves the caller's list of portals.
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  AddRequesterBody,
  CardRequestSchema,
  CreateRequestBody,
  PortalBoardSchema,
  PortalCommentSchema,
  PortalRequestDetailSchema,
  PortalRequestSchema,
  RateRequestBody,
  RequestCommentBody,
  RequesterSchema,
} from '../../protocol/portal.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { PortalService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const RequestParams = Type.Object({ boardId: Uuid, requestId: Uuid });
const tags = ['portal'];
const requests = '/api/portal/boards/:boardId/requests';

export const portalRoutes: FastifyPluginAsyncTypebox<{ portal: PortalService; flags: FlagService }> = async (
  app,
  { portal, flags },
) => {
  const gate = flagGate(flags, SERVICE_DESK_FLAG, 'service-desk features');
  // Every route but the list of portals names a board: those are gated on its flag.
  app.addHook('preHandler', async (req) => {
    if ((req.params as { boardId?: string }).boardId) await gate(req);
  });
  app.get(
    '/api/portal/boards',
    {
      schema: {
        tags,
        summary: 'The boards whose request portal you may use (as a requester)',
        response: { 200: Type.Array(PortalBoardSchema), ...errors },
      },
    },
    async (req) => {
      const mine = await portal.boards(actor(req));
      const on = await Promise.all(mine.map((b) => flags.enabled(actor(req), b.id, SERVICE_DESK_FLAG)));
      return mine.filter((_b, i) => on[i]);
    },
  );
  app.get(
    '/api/portal/boards/:boardId',
    {
      schema: {
        tags,
        summary: "A board's portal: its name and key (404 unless you are one of its requesters)",
        params: BoardParams,
        response: { 200: PortalBoardSchema, ...errors },
      },
    },
    async (req) => portal.board(actor(req), req.params.boardId),
  );
  app.get(
    requests,
    {
      schema: {
        tags,
        summary: 'Your requests on this board, newest first, each with its status',
        params: BoardParams,
        response: { 200: Type.Array(PortalRequestSchema), ...errors },
      },
    },
    async (req) => portal.list(actor(req), req.params.boardId),
  );
  app.post(
    requests,
    {
      schema: {
        tags,
        summary:
          'File a request: a service request card in the maintenance stream, assigned to whoever is on duty now',
        params: BoardParams,
        body: CreateRequestBody,
        response: { 201: PortalRequestSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await portal.create(actor(req), req.params.boardId, req.body)),
  );
  app.get(
    `${requests}/:requestId`,
    {
      schema: {
        tags,
        summary: 'One of your requests with its comments (404 when it is not yours)',
        params: RequestParams,
        response: { 200: PortalRequestDetailSchema, ...errors },
      },
    },
    async (req) => portal.get(actor(req), req.params.boardId, req.params.requestId),
  );
  app.post(
    `${requests}/:requestId/comments`,
    {
      schema: {
        tags,
        summary: 'Comment on your request; the team reads it on the card',
        params: RequestParams,
        body: RequestCommentBody,
        response: { 201: PortalCommentSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await portal.comment(actor(req), req.params.boardId, req.params.requestId, req.body.body)),
  );
  app.post(
    `${requests}/:requestId/rating`,
    {
      schema: {
        tags,
        summary: 'Rate your resolved request, 1–5 with an optional comment (once; 409 otherwise)',
        params: RequestParams,
        body: RateRequestBody,
        response: { 201: PortalRequestSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await portal.rate(actor(req), req.params.boardId, req.params.requestId, req.body)),
  );

  // ---- the team's side
  app.get(
    '/api/boards/:boardId/cards/:cardId/request',
    {
      schema: {
        tags,
        summary: "A service request card's requester, request type, status as they see it, and rating",
        params: Type.Object({ boardId: Uuid, cardId: Uuid }),
        response: { 200: CardRequestSchema, ...errors },
      },
    },
    async (req) => portal.cardRequest(actor(req), req.params.boardId, req.params.cardId),
  );
  app.get(
    '/api/boards/:boardId/requesters',
    {
      schema: {
        tags,
        summary: "Who may use this board's request portal (board admins and product owners)",
        params: BoardParams,
        response: { 200: Type.Array(RequesterSchema), ...errors },
      },
    },
    async (req) => portal.requesters(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/requesters',
    {
      schema: {
        tags,
        summary:
          "Let an account (by e-mail) use this board's request portal (board admins and product owners)",
        params: BoardParams,
        body: AddRequesterBody,
        response: { 200: RequesterSchema, ...errors },
      },
    },
    async (req) => portal.addRequester(actor(req), req.params.boardId, req.body.email),
  );
  app.delete(
    '/api/boards/:boardId/requesters/:userId',
    {
      schema: {
        tags,
        summary: "Take a requester off this board's portal (board admins and product owners)",
        params: Type.Object({ boardId: Uuid, userId: Uuid }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await portal.removeRequester(actor(req), req.params.boardId, req.params.userId);
      return reply.status(204).send(null);
    },
  );
};
