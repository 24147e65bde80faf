/** Report routes: the numbers behind the velocity, burndown and cumulative-flow charts. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { BurndownSchema, ErrorSchema, FlowReportSchema, Uuid, VelocitySchema } from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from '../flags/service.ts';
import type { ReportService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });

export const reportRoutes: FastifyPluginAsyncTypebox<{ reports: ReportService; flags: FlagService }> = async (
  app,
  { reports, flags },
) => {
  // Reports sit behind the `reports` feature flag: off, every report route answers 404 saying so.
  app.addHook('preHandler', async (req) =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, 'reports', 'reports'),
  );
  app.get(
    '/api/boards/:boardId/reports/velocity',
    {
      schema: {
        tags: ['reports'],
        summary: 'Committed and completed points of the last completed sprints',
        params: BoardParams,
        response: { 200: VelocitySchema, ...errors },
      },
    },
    async (req) => reports.velocity(actor(req), req.params.boardId),
  );
  app.get(
    '/api/boards/:boardId/reports/burndown/:sprintId',
    {
      schema: {
        tags: ['reports'],
        summary: 'Remaining points per sprint day beside the ideal line',
        params: Type.Object({ boardId: Uuid, sprintId: Uuid }),
        response: { 200: BurndownSchema, ...errors },
      },
    },
    async (req) => reports.burndown(actor(req), req.params.boardId, req.params.sprintId),
  );
  app.get(
    '/api/boards/:boardId/reports/flow',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Maintenance stream: cumulative flow per day and column, cycle and lead time per finished item',
        params: BoardParams,
        querystring: Type.Object({
          days: Type.Optional(
            Type.String({
              pattern: '^\\d{1,3}$',
              description: 'days to cover, default 14; more than 90 gives 90',
            }),
          ),
        }),
        response: { 200: FlowReportSchema, ...errors },
      },
    },
    async (req) => reports.flow(actor(req), req.params.boardId, Number(req.query.days ?? 14)),
  );
};
