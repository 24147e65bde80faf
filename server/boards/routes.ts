/** Board routes: list, create, open (snapshot), members, catch-up events. */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BoardEventSchema } from '../../protocol/events.ts';
import { FirstScreenQuery, FirstScreenSchema } from '../../protocol/first-screen.ts';
import {
  BoardSchema,
  CreateBoardBody,
  ErrorSchema,
  MemberSchema,
  RoleSchema,
  SnapshotSchema,
  Uuid,
} from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { BoardService } from './service.ts';
import { SnapshotCache } from './snapshot-cache.ts';

/**
 * Sends prepared, gzip-compressed JSON: as it is to a client that takes gzip, else inflated as a
 * stream, never as a whole string per request.
 */
function sendPrepared(req: FastifyRequest, reply: FastifyReply, gzipped: Buffer) {
  reply.type('application/json').header('vary', 'accept-encoding');
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? ''))
    return reply.header('content-encoding', 'gzip').send(gzipped as never);
  return reply.send(Readable.from([gzipped]).pipe(createGunzip()) as never);
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });

export const boardRoutes: FastifyPluginAsyncTypebox<{ boards: BoardService }> = async (app, { boards }) => {
  const snapshots = new SnapshotCache();
  app.get(
    '/api/boards',
    {
      schema: {
        tags: ['boards'],
        summary: 'Boards you are a member of',
        response: { 200: Type.Array(BoardSchema), 401: ErrorSchema },
      },
    },
    async (req) => boards.list(actor(req)),
  );

  app.post(
    '/api/boards',
    {
      schema: {
        tags: ['boards'],
        summary: 'Create a board; you become its admin',
        body: CreateBoardBody,
        response: { 201: BoardSchema, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await boards.create(actor(req), req.body)),
  );

  app.get(
    '/api/boards/:boardId',
    {
      schema: {
        tags: ['boards'],
        summary:
          'Open a board: members, columns, sprints and every card in rank order, at one sequence number',
        params: BoardParams,
        response: { 200: SnapshotSchema, ...errors },
      },
    },
    // Sent as prepared, compressed JSON: PostgreSQL serialises the cards (CardRepo.listCardsJson) and
    // each board state is built once for all who open it (snapshot-cache.ts).
    async (req, reply) => {
      const { boardId } = req.params;
      const { role, ...version } = await boards.snapshotVersion(actor(req), boardId);
      const snapshot = await snapshots.get(`${boardId}:${role}`, version, () =>
        boards.snapshotJson(actor(req), boardId),
      );
      return sendPrepared(req, reply, snapshot.gzipped);
    },
  );

  app.get(
    '/api/boards/:boardId/first-screen',
    {
      schema: {
        tags: ['boards'],
        summary:
          "Open a board, first answer: members, columns, sprints and only the cards the view's first screen shows, with totals, at one sequence number; then GET /api/boards/:boardId for the rest",
        params: BoardParams,
        querystring: FirstScreenQuery,
        response: { 200: FirstScreenSchema, ...errors },
      },
    },
    // Cached and compressed like the whole snapshot, per view: bounded in size whatever the board's.
    async (req, reply) => {
      const { boardId } = req.params;
      const view = req.query.view ?? 'backlog';
      const { role, ...version } = await boards.snapshotVersion(actor(req), boardId);
      const first = await snapshots.get(`${boardId}:${role}:first:${view}`, version, () =>
        boards.firstScreenJson(actor(req), boardId, view),
      );
      return sendPrepared(req, reply, first.gzipped);
    },
  );

  app.get(
    '/api/boards/:boardId/events',
    {
      schema: {
        tags: ['boards'],
        summary: 'Board events after a sequence number (catch-up)',
        params: BoardParams,
        querystring: Type.Object({
          // 15 digits at most: every such number is a safe integer (a 30-digit one failed in the query).
          after: Type.String({ pattern: '^\\d{1,15}$', description: 'sequence number' }),
          limit: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
        }),
        response: { 200: Type.Array(BoardEventSchema), ...errors },
      },
    },
    async (req) =>
      boards.eventsSince(
        actor(req),
        req.params.boardId,
        Number(req.query.after),
        Math.min(Number(req.query.limit ?? 500), 1000),
      ),
  );

  app.get(
    '/api/boards/:boardId/members',
    {
      schema: {
        tags: ['boards'],
        summary: 'Board members and roles',
        params: BoardParams,
        response: { 200: Type.Array(MemberSchema), ...errors },
      },
    },
    async (req) => boards.listMembers(actor(req), req.params.boardId),
  );

  app.put(
    '/api/boards/:boardId/members',
    {
      schema: {
        tags: ['boards'],
        summary: 'Add a member by e-mail or change their role (board admins)',
        params: BoardParams,
        body: Type.Object(
          { email: Type.String({ minLength: 3 }), role: RoleSchema },
          { additionalProperties: false },
        ),
        response: { 200: MemberSchema, ...errors },
      },
    },
    async (req) => boards.setMember(actor(req), req.params.boardId, req.body.email, req.body.role),
  );

  app.delete(
    '/api/boards/:boardId/members/:userId',
    {
      schema: {
        tags: ['boards'],
        summary: 'Take a person off the board (board admins); their open sockets stop receiving it at once',
        params: Type.Object({ boardId: Uuid, userId: Uuid }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await boards.removeMember(actor(req), req.params.boardId, req.params.userId);
      return reply.status(204).send(null);
    },
  );
};
