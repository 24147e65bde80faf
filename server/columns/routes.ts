/** Column routes (board admins and product owners configure columns and WIP limits). */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { ColumnsReorderedSchema } from '../../protocol/events.ts';
import {
  ColumnSchema,
  CreateColumnBody,
  ErrorSchema,
  ReorderColumnsBody,
  UpdateColumnBody,
  Uuid,
} from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { ColumnService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const Params = Type.Object({ boardId: Uuid, columnId: Uuid });

export const columnRoutes: FastifyPluginAsyncTypebox<{ columns: ColumnService }> = async (
  app,
  { columns },
) => {
  app.post(
    '/api/boards/:boardId/columns',
    {
      schema: {
        tags: ['columns'],
        summary: 'Add a column to a stream',
        params: Type.Object({ boardId: Uuid }),
        body: CreateColumnBody,
        response: { 201: ColumnSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await columns.create(actor(req), req.params.boardId, req.body)),
  );
  app.patch(
    '/api/boards/:boardId/columns/:columnId',
    {
      schema: {
        tags: ['columns'],
        summary:
          'Configure a column: name, category, WIP limit (null = none), policy hard|warn, expedite exemption, entry/exit policies. Send the version the edit was made on; a stale one is refused (409 STALE_VERSION, with the current column)',
        params: Params,
        body: UpdateColumnBody,
        response: { 200: ColumnSchema, ...errors },
      },
    },
    async (req) => columns.update(actor(req), req.params.boardId, req.params.columnId, req.body),
  );
  app.put(
    '/api/boards/:boardId/columns/order',
    {
      schema: {
        tags: ['columns'],
        summary:
          "Reorder a stream's columns: name every column of the stream once, left to right; anything else is refused (400, field columnIds) and nothing changes",
        params: Type.Object({ boardId: Uuid }),
        body: ReorderColumnsBody,
        response: { 200: ColumnsReorderedSchema, ...errors },
      },
    },
    async (req) => columns.reorder(actor(req), req.params.boardId, req.body),
  );
  app.delete(
    '/api/boards/:boardId/columns/:columnId',
    {
      schema: {
        tags: ['columns'],
        summary: 'Remove an empty column',
        params: Params,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await columns.remove(actor(req), req.params.boardId, req.params.columnId);
      return reply.status(204).send(null);
    },
  );
};
