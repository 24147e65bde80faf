/** The release outcomes report (issue 17): JSON for the charts, CSV for a spreadsheet. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CostModelBody,
  CostModelSchema,
  OutcomesQuery,
  ReleaseOutcomesSchema,
} from '../../protocol/release-outcomes.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from '../flags/service.ts';
import { ReleaseOutcomeService } from './outcomes-service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

export const releaseOutcomeRoutes: FastifyPluginAsyncTypebox<{
  outcomes: ReleaseOutcomeService;
  flags: FlagService;
}> = async (app, { outcomes, flags }) => {
  // Part of releases: behind the same `releases` feature flag.
  app.addHook('preHandler', async (req) =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, 'releases', 'releases'),
  );
  app.get(
    '/api/boards/:boardId/release-cost-model',
    {
      schema: {
        tags: ['releases', 'reports'],
        summary: "The board's cost model for the release outcomes report (the default until one is set)",
        params: Type.Object({ boardId: Uuid }),
        response: { 200: CostModelSchema, ...errors },
      },
    },
    async (req) => outcomes.costModel(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/release-cost-model',
    {
      schema: {
        tags: ['releases', 'reports'],
        summary:
          "Set the board's cost model (product owner or admin): day_rate (day rate × team size × days to go-live) or per_point (cost per point × points in scope)",
        params: Type.Object({ boardId: Uuid }),
        body: CostModelBody,
        response: { 200: CostModelSchema, ...errors },
      },
    },
    async (req) => outcomes.saveCostModel(actor(req), req.params.boardId, req.body),
  );
  app.get(
    '/api/boards/:boardId/releases/outcomes',
    {
      schema: {
        tags: ['releases', 'reports'],
        summary:
          'Release outcomes of the latest 200 live releases: incidents after deployment, downtime, cost, change failure rate, time to restore, per release and per month (format=csv: one row per release, with a header row)',
        params: Type.Object({ boardId: Uuid }),
        querystring: OutcomesQuery,
        response: {
          200: {
            description: 'the report (JSON), or one CSV row per release after a header row',
            content: {
              'application/json': { schema: ReleaseOutcomesSchema },
              'text/csv': { schema: Type.String() },
            },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const days = ReleaseOutcomeService.windowDays(req.query.windowDays);
      if (req.query.format === 'csv') {
        const csv = await outcomes.csv(actor(req), req.params.boardId, days);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="release-outcomes.csv"')
          .send(csv);
      }
      return outcomes.report(actor(req), req.params.boardId, days);
    },
  );
};
