/**
 * Release routes: the board's path-to-live settings, plan and edit, scope, notes, deployment reports,
 * the CI gate, firebreak, readiness, go/no-go, and the calendar feed.
 */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CreateReleaseBody,
  DeploymentReportBody,
  FeedTokenSchema,
  GateAnswerSchema,
  ReadinessBody,
  ReleaseRunsSchema,
  ReleaseSchema,
  ReleaseScopeBody,
  ReleaseSettingsBody,
  ReleaseSettingsSchema,
  UpdateReleaseBody,
  VerdictBody,
} from '../../protocol/releases.ts';
import type { Actor } from '../access/board-access.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from '../flags/service.ts';
import { ifMatchRevision } from '../infra/http.ts';
import type { ReleaseService } from './service.ts';

/** Who reads the calendar feed with its token alone: no user, no role (flags evaluate for the board). */
const FEED_READER: Actor = { userId: null, label: 'calendar feed', isAdmin: false };

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const Params = Type.Object({ boardId: Uuid, releaseId: Uuid });
const tags = ['releases'];

export const releaseRoutes: FastifyPluginAsyncTypebox<{
  releases: ReleaseService;
  flags: FlagService;
  /** the URL people reach this server at (PUBLIC_URL), for links in the calendar feed */
  publicUrl?: string | undefined;
}> = async (app, { releases, flags, publicUrl }) => {
  // Releases sit behind the `releases` feature flag (default on): off, every route answers 404 saying so.
  // Only the calendar feed is reached without a user (with its feed token).
  app.addHook('preHandler', async (req) =>
    flags.requireEnabled(
      req.user ? actor(req) : FEED_READER,
      (req.params as { boardId: string }).boardId,
      'releases',
      'releases',
    ),
  );
  const origin = (req: FastifyRequest) => publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;

  app.get(
    '/api/boards/:boardId/release-settings',
    {
      schema: {
        tags,
        summary:
          "The board's path to live: environments and their checks, go/no-go policy, readiness checklist, default firebreak",
        params: BoardParams,
        response: { 200: ReleaseSettingsSchema, ...errors },
      },
    },
    async (req) => releases.getSettings(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/release-settings',
    {
      schema: {
        tags,
        summary:
          "Replace the board's path-to-live settings (release managers); releases already planned keep the path they were planned with",
        params: BoardParams,
        body: ReleaseSettingsBody,
        response: { 200: ReleaseSettingsSchema, ...errors },
      },
    },
    async (req) => releases.putSettings(actor(req), req.params.boardId, req.body),
  );
  app.get(
    '/api/boards/:boardId/releases.ics',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'The release schedule as an iCalendar feed (text/calendar). Calendar apps subscribe with ?token= (see feed-token); signed-in callers need none',
        params: BoardParams,
        querystring: Type.Object({
          token: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
        }),
        response: {
          200: { content: { 'text/calendar': { schema: Type.String() } } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { token } = req.query;
      const who =
        req.user && token === undefined ? { actor: actor(req) } : token ? { feedToken: token } : null;
      if (!who)
        return reply
          .status(401)
          .send({ error: 'UNAUTHENTICATED', message: 'sign in or add the feed token: ?token=' });
      const text = await releases.calendar(who, req.params.boardId, origin(req));
      return reply
        .type('text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(text);
    },
  );
  app.post(
    '/api/boards/:boardId/releases/feed-token',
    {
      schema: {
        tags,
        summary: 'A new secret calendar feed URL for the board (shown once); the previous one stops working',
        params: BoardParams,
        response: { 201: FeedTokenSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await releases.rotateFeedToken(actor(req), req.params.boardId)),
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
  app.patch(
    '/api/boards/:boardId/releases/:releaseId',
    {
      schema: {
        tags,
        summary:
          'Edit a release before go-live (version, target date, tag, commit, shadow URL, notes, what users must do and when) or cancel it with a reason; refused once live. Send the revision (body or If-Match) to refuse an edit made on an older one',
        params: Params,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        body: UpdateReleaseBody,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) =>
      releases.edit(
        actor(req),
        req.params.boardId,
        req.params.releaseId,
        req.body,
        ifMatchRevision(req.headers['if-match'], 'release'),
      ),
  );
  app.get(
    '/api/boards/:boardId/releases/:releaseId/notes.md',
    {
      schema: {
        tags,
        summary: 'Release notes generated from the scope (Markdown, text/markdown), not saved',
        params: Params,
        response: { 200: { content: { 'text/markdown': { schema: Type.String() } } }, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .type('text/markdown; charset=utf-8')
        .send(await releases.notesPreview(actor(req), req.params.boardId, req.params.releaseId)),
  );
  app.post(
    '/api/boards/:boardId/releases/:releaseId/notes/generate',
    {
      schema: {
        tags,
        summary: "Write notes generated from the scope into the release's notes (editable until go-live)",
        params: Params,
        response: { 200: ReleaseSchema, ...errors },
      },
    },
    async (req) => releases.generateNotes(actor(req), req.params.boardId, req.params.releaseId),
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
    '/api/boards/:boardId/releases/:releaseId/runs',
    {
      schema: {
        tags,
        summary:
          'The deployments and automated checks reported on a release, per environment, in the order they were recorded (who or which plugin reported each)',
        params: Params,
        response: { 200: ReleaseRunsSchema, ...errors },
      },
    },
    async (req) => releases.runs(actor(req), req.params.boardId, req.params.releaseId),
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
