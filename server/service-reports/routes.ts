/** Service report routes (issue 20): the report as JSON or CSV, and the quarterly SLA review minutes. */

import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  ServiceReportQuery,
  ServiceReportSchema,
  SlaReviewBody,
  SlaReviewSchema,
  SlaReviewsReplySchema,
  SlaReviewUpdateBody,
} from '../../protocol/service-report.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { ServiceReportService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const ReviewParams = Type.Object({ boardId: Uuid, reviewId: Uuid });
const SUMMARY =
  'Service report per month or quarter (at most 24 months or 8 quarters): SLA attainment and incidents per tier, mean time to acknowledge and to restore, requests fulfilled and their satisfaction, backlog age, with the SLA review minutes of its quarters';

export const serviceReportRoutes: FastifyPluginAsyncTypebox<{
  serviceReports: ServiceReportService;
  flags: FlagService;
}> = async (app, { serviceReports, flags }) => {
  // Part of the service desk (its flag gates every route here), and the report is one of the board's
  // reports: behind the `reports` flag as well.
  app.addHook('preHandler', flagGate(flags, SERVICE_DESK_FLAG, 'service-desk features'));
  const reportsOn = async (req: FastifyRequest) =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, 'reports', 'reports');
  app.get(
    '/api/boards/:boardId/service-report',
    {
      preHandler: reportsOn,
      schema: {
        tags: ['reports', 'sla'],
        summary: SUMMARY,
        params: BoardParams,
        querystring: ServiceReportQuery,
        response: { 200: ServiceReportSchema, ...errors },
      },
    },
    async (req) => serviceReports.report(actor(req), req.params.boardId, req.query),
  );
  app.get(
    '/api/boards/:boardId/service-report.csv',
    {
      preHandler: reportsOn,
      schema: {
        tags: ['reports', 'sla'],
        summary: `${SUMMARY}, as CSV: a header row, one row per period and tier, and an "all" row per period`,
        params: BoardParams,
        querystring: ServiceReportQuery,
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const csv = await serviceReports.csv(actor(req), req.params.boardId, req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="service-report.csv"')
        .send(csv);
    },
  );

  app.get(
    '/api/boards/:boardId/sla-reviews',
    {
      schema: {
        tags: ['sla'],
        summary: "The board's SLA review minutes, the latest 40 quarters, newest first",
        params: BoardParams,
        response: { 200: SlaReviewsReplySchema, ...errors },
      },
    },
    async (req) => ({ reviews: await serviceReports.reviews(actor(req), req.params.boardId) }),
  );
  app.post(
    '/api/boards/:boardId/sla-reviews',
    {
      schema: {
        tags: ['sla'],
        summary:
          "Record a quarter's SLA review: when it met, who came, the minutes (Markdown) and the actions (409 naming quarter when that quarter has one)",
        params: BoardParams,
        body: SlaReviewBody,
        response: { 201: SlaReviewSchema, ...errors, 409: ErrorSchema },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await serviceReports.createReview(actor(req), req.params.boardId, req.body)),
  );
  app.put(
    '/api/boards/:boardId/sla-reviews/:reviewId',
    {
      schema: {
        tags: ['sla'],
        summary:
          'Edit an SLA review; `revision` names the revision the edit was made on (409 STALE_VERSION when another edit came first)',
        params: ReviewParams,
        body: SlaReviewUpdateBody,
        response: { 200: SlaReviewSchema, ...errors, 409: ErrorSchema },
      },
    },
    async (req) => serviceReports.updateReview(actor(req), req.params.boardId, req.params.reviewId, req.body),
  );
  app.delete(
    '/api/boards/:boardId/sla-reviews/:reviewId',
    {
      schema: {
        tags: ['sla'],
        summary: 'Delete an SLA review',
        params: ReviewParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await serviceReports.deleteReview(actor(req), req.params.boardId, req.params.reviewId);
      return reply.status(204).send(null);
    },
  );
};
