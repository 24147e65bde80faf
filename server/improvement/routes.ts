/**
 * Review and improve routes (issue 17): the review cadence, reviews of the release procedure and the
 * improvement register. Part of releases: behind the same `releases` feature flag.
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  CreateItemBody,
  CreateReviewBody,
  ImprovementItemSchema,
  ImprovementOverviewSchema,
  ImprovementSettingsBody,
  ImprovementSettingsSchema,
  ItemQuery,
  ItemStatusBody,
  ReviewSchema,
  ReviewWarrantySchema,
  UpdateItemBody,
  UpdateReviewBody,
} from '../../protocol/improvement.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { ImprovementService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const ReviewParams = Type.Object({ boardId: Uuid, reviewId: Uuid });
const ItemParams = Type.Object({ boardId: Uuid, itemId: Uuid });
const tags = ['improvement'];
const base = '/api/boards/:boardId/improvement';

export const improvementRoutes: FastifyPluginAsyncTypebox<{
  improvement: ImprovementService;
  flags: FlagService;
}> = async (app, { improvement, flags }) => {
  app.addHook('preHandler', flagGate(flags, 'releases', 'releases'));

  app.get(
    base,
    {
      schema: {
        tags,
        summary:
          'Review and improve at a glance: the review cadence, when the next review is due (overdue?), reviews held per quarter, the reviews and the improvement register',
        params: BoardParams,
        response: { 200: ImprovementOverviewSchema, ...errors },
      },
    },
    async (req) => improvement.overview(actor(req), req.params.boardId),
  );
  app.put(
    `${base}/settings`,
    {
      schema: {
        tags,
        summary:
          'Set how often the release procedure is reviewed (every N weeks; the clock starts the first time)',
        params: BoardParams,
        body: ImprovementSettingsBody,
        response: { 200: ImprovementSettingsSchema, ...errors },
      },
    },
    async (req) => improvement.putSettings(actor(req), req.params.boardId, req.body),
  );

  app.get(
    `${base}/reviews`,
    {
      schema: {
        tags,
        summary: 'The reviews of the release procedure, newest first',
        params: BoardParams,
        response: { 200: Type.Array(ReviewSchema), ...errors },
      },
    },
    async (req) => improvement.reviews(actor(req), req.params.boardId),
  );
  app.post(
    `${base}/reviews`,
    {
      schema: {
        tags,
        summary:
          'Schedule a review (scheduledOn) or record one held (heldAt), with attendees, minutes and the releases reviewed',
        params: BoardParams,
        body: CreateReviewBody,
        response: { 201: ReviewSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await improvement.createReview(actor(req), req.params.boardId, req.body)),
  );
  app.get(
    `${base}/reviews/:reviewId`,
    {
      schema: {
        tags,
        summary: 'One review',
        params: ReviewParams,
        response: { 200: ReviewSchema, ...errors },
      },
    },
    async (req) => improvement.review(actor(req), req.params.boardId, req.params.reviewId),
  );
  app.get(
    `${base}/reviews/:reviewId/warranty`,
    {
      schema: {
        tags,
        summary:
          'The warranty the review checks: for each release it reviewed, every warranty requirement with the latest hyper-care measurement and its verdict (met / not met / not measured)',
        params: ReviewParams,
        response: { 200: ReviewWarrantySchema, ...errors },
      },
    },
    async (req) => improvement.reviewWarranty(actor(req), req.params.boardId, req.params.reviewId),
  );
  app.patch(
    `${base}/reviews/:reviewId`,
    {
      schema: {
        tags,
        summary:
          'Edit a review or record it as held (heldAt); 409 STALE_VERSION when it changed since `revision`',
        params: ReviewParams,
        body: UpdateReviewBody,
        response: { 200: ReviewSchema, ...errors },
      },
    },
    async (req) => improvement.updateReview(actor(req), req.params.boardId, req.params.reviewId, req.body),
  );
  app.delete(
    `${base}/reviews/:reviewId`,
    {
      schema: {
        tags,
        summary: 'Take a review that was not held off the schedule (a held review is kept: 409)',
        params: ReviewParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await improvement.deleteReview(actor(req), req.params.boardId, req.params.reviewId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/items`,
    {
      schema: {
        tags,
        summary: 'The improvement register, by number, optionally by status and due quarter',
        params: BoardParams,
        querystring: ItemQuery,
        response: { 200: Type.Array(ImprovementItemSchema), ...errors },
      },
    },
    async (req) => improvement.items(actor(req), req.params.boardId, req.query),
  );
  app.post(
    `${base}/items`,
    {
      schema: {
        tags,
        summary:
          'Raise an improvement item (from a review): baseline, measurable target, owner, due quarter, and the releases, problems and incidents that motivated it',
        params: BoardParams,
        body: CreateItemBody,
        response: { 201: ImprovementItemSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await improvement.createItem(actor(req), req.params.boardId, req.body)),
  );
  app.get(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary: 'One improvement item',
        params: ItemParams,
        response: { 200: ImprovementItemSchema, ...errors },
      },
    },
    async (req) => improvement.item(actor(req), req.params.boardId, req.params.itemId),
  );
  app.patch(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary:
          'Edit an improvement item (managers; its owner may too, not hand it on); 409 STALE_VERSION when it changed since `revision`',
        params: ItemParams,
        body: UpdateItemBody,
        response: { 200: ImprovementItemSchema, ...errors },
      },
    },
    async (req) => improvement.updateItem(actor(req), req.params.boardId, req.params.itemId, req.body),
  );
  app.post(
    `${base}/items/:itemId/status`,
    {
      schema: {
        tags,
        summary:
          'Move an item: proposed → planned → in_progress → done, or dropped; closing needs a result; 409 STALE_VERSION on a stale revision',
        params: ItemParams,
        body: ItemStatusBody,
        response: { 200: ImprovementItemSchema, ...errors },
      },
    },
    async (req) => improvement.setStatus(actor(req), req.params.boardId, req.params.itemId, req.body),
  );
  app.delete(
    `${base}/items/:itemId`,
    {
      schema: {
        tags,
        summary: 'Delete an improvement item (managers)',
        params: ItemParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await improvement.deleteItem(actor(req), req.params.boardId, req.params.itemId);
      return reply.status(204).send(null);
    },
  );
};
