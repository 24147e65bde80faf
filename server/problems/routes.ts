/** Problem and known-error routes: card links, problem records, the known-error database, major incidents. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CARD_LINK_KINDS,
  CardLinkSchema,
  CreateLinkBody,
  DeleteLinkQuery,
  KnownErrorQuery,
  KnownErrorSchema,
  MajorIncidentReportSchema,
  MajorIncidentSchema,
  ProblemRecordSchema,
  TimelineEntrySchema,
  UpdateMajorIncidentBody,
  UpdateProblemBody,
  WorkaroundMatchSchema,
} from '../../protocol/problems.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { ProblemService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const CardParams = Type.Object({ boardId: Uuid, cardId: Uuid });
const LinkParams = Type.Object({ boardId: Uuid, cardId: Uuid, targetId: Uuid });
const tags = ['problems'];
const card = '/api/boards/:boardId/cards/:cardId';

export const problemRoutes: FastifyPluginAsyncTypebox<{
  problems: ProblemService;
  flags: FlagService;
}> = async (app, { problems, flags }) => {
  // Part of the service desk, behind the `service-desk` feature flag (default on): off, every route
  // answers 404 saying so. The clocks and escalations keep running whatever the flag says.
  app.addHook('preHandler', flagGate(flags, SERVICE_DESK_FLAG, 'service-desk features'));
  app.get(
    `${card}/links`,
    {
      schema: {
        tags,
        summary: 'The cards linked with this one, either way, each with the link as it reads from here',
        params: CardParams,
        response: { 200: Type.Array(CardLinkSchema), ...errors },
      },
    },
    async (req) => problems.links(actor(req), req.params.boardId, req.params.cardId),
  );
  app.post(
    `${card}/links`,
    {
      schema: {
        tags,
        summary: 'Link another card of the board to this one (the same link twice is recorded once)',
        description: `Kinds read from this card: ${CARD_LINK_KINDS.join(', ')}.`,
        params: CardParams,
        body: CreateLinkBody,
        response: { 201: Type.Array(CardLinkSchema), ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await problems.link(actor(req), req.params.boardId, req.params.cardId, req.body)),
  );
  app.delete(
    `${card}/links/:targetId`,
    {
      schema: {
        tags,
        summary: 'Take a link away',
        params: LinkParams,
        querystring: DeleteLinkQuery,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      const { boardId, cardId, targetId } = req.params;
      await problems.unlink(actor(req), boardId, cardId, targetId, req.query.kind);
      return reply.status(204).send(null);
    },
  );
  app.get(
    `${card}/problem`,
    {
      schema: {
        tags,
        summary: 'A problem’s record: root cause, workaround, error signature, known-error status',
        params: CardParams,
        response: { 200: ProblemRecordSchema, ...errors },
      },
    },
    async (req) => problems.problem(actor(req), req.params.boardId, req.params.cardId),
  );
  app.patch(
    `${card}/problem`,
    {
      schema: {
        tags,
        summary: 'Edit a problem’s record (a known error needs a workaround)',
        params: CardParams,
        body: UpdateProblemBody,
        response: { 200: ProblemRecordSchema, ...errors },
      },
    },
    async (req) => problems.updateProblem(actor(req), req.params.boardId, req.params.cardId, req.body),
  );
  app.get(
    `${card}/workarounds`,
    {
      schema: {
        tags,
        summary: 'The known errors an incident matches, with their workarounds (linked ones first)',
        params: CardParams,
        response: { 200: Type.Array(WorkaroundMatchSchema), ...errors },
      },
    },
    async (req) => problems.workarounds(actor(req), req.params.boardId, req.params.cardId),
  );
  app.get(
    '/api/boards/:boardId/known-errors',
    {
      schema: {
        tags,
        summary:
          'Search the known-error database: every word, as a prefix, over title, root cause, workaround and signature',
        params: BoardParams,
        querystring: KnownErrorQuery,
        response: { 200: Type.Array(KnownErrorSchema), ...errors },
      },
    },
    async (req) => problems.knownErrors(actor(req), req.params.boardId, req.query.q, req.query.limit),
  );
  app.get(
    `${card}/major-incident`,
    {
      schema: {
        tags,
        summary: 'An incident’s major-incident record',
        params: CardParams,
        response: { 200: MajorIncidentSchema, ...errors },
      },
    },
    async (req) => problems.majorIncident(actor(req), req.params.boardId, req.params.cardId),
  );
  app.patch(
    `${card}/major-incident`,
    {
      schema: {
        tags,
        summary: 'Flag an incident major (or not), record its impact, actions and post-incident review',
        params: CardParams,
        body: UpdateMajorIncidentBody,
        response: { 200: MajorIncidentSchema, ...errors },
      },
    },
    async (req) => problems.updateMajorIncident(actor(req), req.params.boardId, req.params.cardId, req.body),
  );
  app.get(
    `${card}/timeline`,
    {
      schema: {
        tags,
        summary: 'The incident’s timeline: the board events of it and its linked cards, oldest first',
        params: CardParams,
        response: { 200: Type.Array(TimelineEntrySchema), ...errors },
      },
    },
    async (req) => problems.timeline(actor(req), req.params.boardId, req.params.cardId),
  );
  app.get(
    `${card}/major-incident/report`,
    {
      schema: {
        tags,
        summary: 'The major-incident report as Markdown',
        params: CardParams,
        response: { 200: MajorIncidentReportSchema, ...errors },
      },
    },
    async (req) => problems.report(actor(req), req.params.boardId, req.params.cardId),
  );
};
