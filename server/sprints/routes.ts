/** Sprint routes: list, create, edit, start, complete. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  CardSchema,
  CompleteSprintBody,
  CreateSprintBody,
  ErrorSchema,
  SprintSchema,
  StartSprintBody,
  UpdateSprintBody,
  Uuid,
} from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { SprintService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const Params = Type.Object({ boardId: Uuid, sprintId: Uuid });
const SprintWithCards = Type.Object({ sprint: SprintSchema, cards: Type.Array(CardSchema) });

export const sprintRoutes: FastifyPluginAsyncTypebox<{ sprints: SprintService }> = async (
  app,
  { sprints },
) => {
  app.get(
    '/api/boards/:boardId/sprints',
    {
      schema: {
        tags: ['sprints'],
        summary: 'Sprints, oldest first',
        params: BoardParams,
        response: { 200: Type.Array(SprintSchema), ...errors },
      },
    },
    async (req) => sprints.list(actor(req), req.params.boardId),
  );
  app.post(
    '/api/boards/:boardId/sprints',
    {
      schema: {
        tags: ['sprints'],
        summary: 'Plan a sprint; add cards with the card move (sprintId)',
        params: BoardParams,
        body: CreateSprintBody,
        response: { 201: SprintSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await sprints.create(actor(req), req.params.boardId, req.body)),
  );
  app.patch(
    '/api/boards/:boardId/sprints/:sprintId',
    {
      schema: {
        tags: ['sprints'],
        summary: 'Rename a sprint, change its goal or capacity',
        params: Params,
        body: UpdateSprintBody,
        response: { 200: SprintSchema, ...errors },
      },
    },
    async (req) => sprints.update(actor(req), req.params.boardId, req.params.sprintId, req.body),
  );
  app.post(
    '/api/boards/:boardId/sprints/:sprintId/start',
    {
      schema: {
        tags: ['sprints'],
        summary:
          'Start a planned sprint (one active sprint per board); its cards land in the first To-do column',
        params: Params,
        body: StartSprintBody,
        response: { 200: SprintWithCards, ...errors },
      },
    },
    async (req) => sprints.start(actor(req), req.params.boardId, req.params.sprintId, req.body),
  );
  app.post(
    '/api/boards/:boardId/sprints/:sprintId/complete',
    {
      schema: {
        tags: ['sprints'],
        summary:
          'Complete the active sprint; unfinished cards go to the top of the backlog or into the next planned sprint',
        params: Params,
        body: CompleteSprintBody,
        response: { 200: SprintWithCards, ...errors },
      },
    },
    async (req) => sprints.complete(actor(req), req.params.boardId, req.params.sprintId, req.body),
  );
};
