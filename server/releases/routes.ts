/** Release routes: plan, scope, deployment reports, the CI gate, firebreak, readiness, go/no-go. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CreateReleaseBody,
  DeploymentReportBody,
  GateAnswerSchema,
  ReadinessBody,
  ReleaseSchema,
  ReleaseScopeBody,
  VerdictBody,
} from '../../protocol/releases.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from '../flags/service.ts';
import type { ReleaseService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const Params = Type.Object({ boardId: Uuid, releaseId: Uuid });
const tags = ['releases'];

export const releaseRoutes: FastifyPluginAsyncTypebox<{
  releases: ReleaseService;
  flags: FlagService;
}> = async (app, { releases, flags }) => {
  // Releases sit behind the `releases` feature flag (default on): off, every route answers 404 saying so.
  app.addHook('preHandler', async (req) =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, 'releases', 'releases'),
  );
  app.get(
    '/api/boards/:boardId/releases',
    {
      schema: {
        tags,
        summary: 'Releases by target date (the schedule)',
        params: BoardParams,
        response: { 200: Type.Array(ReleaseSchema), ...errors },
      },
    },
    async (req) => releases.list(actor(req), req.params.boardId),
  );
  app.post(
    '/api/boards/:boardId/releases',
    {
      schema: {
        tags,
        summary: 'Plan a release: version, target date, originating stream, optional firebreak',
        params: BoardParams,
        body: CreateReleaseBody,
        response: { 201: ReleaseSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await releases.create(actor(req), req.params.boardId, req.body)),
  );
  app.get(
    '/api/boards/:boardId/releases/:releaseId',
    { schema: { tags, summary: 'One release', params: Params, response: { 200: ReleaseSchema, ...errors } } },
    async (req) => releases.get(actor(req), req.params.boardId, req.params.releaseId),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/scope',
    {
      schema: {
        tags,
        summary: 'Add cards to the release or take them out (a card travels in one release at a time)',
        params: Params,
        body: ReleaseScopeBody,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.scope(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/runs',
    {
      schema: {
        tags,
        summary:
          'Report a deployment or automated check in an environment; a failure stops the line there. The same report twice is recorded once.',
        params: Params,
        body: DeploymentReportBody,
        response: { 200: Type.Object({ release: ReleaseSchema, duplicate: Type.Boolean() }), ...errors },
      },
    },
    async (req) => releases.report(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.get(
    '/api/boards/:boardId/releases/:releaseId/gate',
    {
      schema: {
        tags,
        summary:
          'Ask from a pipeline whether the release may deploy to an environment now (allowed: false says why). Use an API token.',
        params: Params,
        querystring: Type.Object({ environment: Type.String({ minLength: 1, maxLength: 40 }) }),
        response: { 200: GateAnswerSchema, ...errors },
      },
    },
    async (req) => releases.gate(actor(req), req.params.boardId, req.params.releaseId, req.query.environment),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/readiness',
    {
      schema: {
        tags,
        summary: 'Tick, untick or waive (with a reason) an operational readiness item',
        params: Params,
        body: ReadinessBody,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.readiness(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/firebreak/tests',
    {
      schema: {
        tags,
        summary: 'Record a manual test result at the firebreak',
        params: Params,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }), passed: Type.Boolean() },
          { additionalProperties: false },
        ),
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.firebreakTest(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/firebreak/approve',
    {
      schema: {
        tags,
        summary: 'Approve the firebreak in your role',
        params: Params,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.approveFirebreak(actor(req), req.params.boardId, req.params.releaseId),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/verdicts',
    {
      schema: {
        tags,
        summary:
          'Give a go or no-go verdict on the shadow going live (not by anyone who worked on or deployed it; never a developer)',
        params: Params,
        body: VerdictBody,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.verdict(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
};
