/** On-call routes: rotas, overrides and swaps, who is on duty, service history, policies, acknowledge, alert noise. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  AlertNoiseSchema,
  CoverBody,
  EscalationSchema,
  OnDutyNowSchema,
  PolicyBody,
  PolicySchema,
  RotaBody,
  RotaSchema,
  ServiceHistorySchema,
  ShiftSchema,
  TimelineQuery,
} from '../../protocol/oncall.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { OncallService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const RotaParams = Type.Object({ boardId: Uuid, rotaId: Uuid });
const PolicyParams = Type.Object({ boardId: Uuid, policyId: Uuid });
const Days = (max: number) =>
  Type.Object(
    {
      days: Type.Optional(
        Type.String({ pattern: '^\\d{1,3}$', description: `how many days back, 1–${max}` }),
      ),
    },
    { additionalProperties: false },
  );
const tags = ['on-call'];

function days(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Math.min(Math.max(n, 1), max);
}

export const oncallRoutes: FastifyPluginAsyncTypebox<{ oncall: OncallService; flags: FlagService }> = async (
  app,
  { oncall, flags },
) => {
  // Part of the service desk, behind the `service-desk` feature flag (default on): off, every route
  // answers 404 saying so. The clocks and escalations keep running whatever the flag says.
  app.addHook('preHandler', flagGate(flags, SERVICE_DESK_FLAG, 'service-desk features'));
  app.get(
    '/api/boards/:boardId/oncall/rotas',
    {
      schema: {
        tags,
        summary: 'The board’s rotas with their current and future overrides and swaps',
        params: BoardParams,
        response: { 200: Type.Array(RotaSchema), ...errors },
      },
    },
    async (req) => oncall.listRotas(actor(req), req.params.boardId),
  );
  app.post(
    '/api/boards/:boardId/oncall/rotas',
    {
      schema: {
        tags,
        summary:
          'Create a rota: board members in order and a weekly, custom or follow-the-sun shift pattern (time zones by IANA name)',
        params: BoardParams,
        body: RotaBody,
        response: { 201: RotaSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await oncall.createRota(actor(req), req.params.boardId, req.body)),
  );
  app.get(
    '/api/boards/:boardId/oncall/rotas/:rotaId',
    { schema: { tags, summary: 'One rota', params: RotaParams, response: { 200: RotaSchema, ...errors } } },
    async (req) => oncall.getRota(actor(req), req.params.boardId, req.params.rotaId),
  );
  app.put(
    '/api/boards/:boardId/oncall/rotas/:rotaId',
    {
      schema: {
        tags,
        summary: 'Replace a rota’s name, members and pattern (its overrides and swaps stay)',
        params: RotaParams,
        body: RotaBody,
        response: { 200: RotaSchema, ...errors },
      },
    },
    async (req) => oncall.updateRota(actor(req), req.params.boardId, req.params.rotaId, req.body),
  );
  app.delete(
    '/api/boards/:boardId/oncall/rotas/:rotaId',
    {
      schema: {
        tags,
        summary: 'Delete a rota',
        params: RotaParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await oncall.deleteRota(actor(req), req.params.boardId, req.params.rotaId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/boards/:boardId/oncall/rotas/:rotaId/covers',
    {
      schema: {
        tags,
        summary:
          'Add an override (a person covers an interval) or a swap (two people exchange shifts within it)',
        params: RotaParams,
        body: CoverBody,
        response: { 201: RotaSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await oncall.addCover(actor(req), req.params.boardId, req.params.rotaId, req.body)),
  );
  app.delete(
    '/api/boards/:boardId/oncall/rotas/:rotaId/covers/:coverId',
    {
      schema: {
        tags,
        summary: 'Remove an override or swap',
        params: Type.Object({ boardId: Uuid, rotaId: Uuid, coverId: Uuid }),
        response: { 200: RotaSchema, ...errors },
      },
    },
    async (req) => oncall.deleteCover(actor(req), req.params.boardId, req.params.rotaId, req.params.coverId),
  );
  app.get(
    '/api/boards/:boardId/oncall/rotas/:rotaId/shifts',
    {
      schema: {
        tags,
        summary: 'Who is on duty over a range (at most 92 days), overrides and swaps applied',
        params: RotaParams,
        querystring: TimelineQuery,
        response: { 200: Type.Array(ShiftSchema), ...errors },
      },
    },
    async (req) =>
      oncall.timeline(actor(req), req.params.boardId, req.params.rotaId, req.query.from, req.query.to),
  );
  app.get(
    '/api/boards/:boardId/oncall/now',
    {
      schema: {
        tags,
        summary: 'Who is on duty now, and who is next, per rota',
        params: BoardParams,
        response: { 200: Type.Array(OnDutyNowSchema), ...errors },
      },
    },
    async (req) => oncall.now(actor(req), req.params.boardId),
  );
  app.get(
    '/api/boards/:boardId/oncall/history/:userId',
    {
      schema: {
        tags,
        summary:
          'Where a person served, AMS or development duty, from the rotas’ shifts (default the last 90 days)',
        params: Type.Object({ boardId: Uuid, userId: Uuid }),
        querystring: Days(366),
        response: { 200: ServiceHistorySchema, ...errors },
      },
    },
    async (req) =>
      oncall.history(actor(req), req.params.boardId, req.params.userId, days(req.query.days, 90, 366)),
  );
  app.get(
    '/api/boards/:boardId/oncall/policies',
    {
      schema: {
        tags,
        summary: 'Escalation policies',
        params: BoardParams,
        response: { 200: Type.Array(PolicySchema), ...errors },
      },
    },
    async (req) => oncall.listPolicies(actor(req), req.params.boardId),
  );
  app.post(
    '/api/boards/:boardId/oncall/policies',
    {
      schema: {
        tags,
        summary:
          'Create an escalation policy: which incident priorities start it, and steps (on duty of a rota, next on duty, a named person) each after N minutes unacknowledged',
        params: BoardParams,
        body: PolicyBody,
        response: { 201: PolicySchema, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await oncall.createPolicy(actor(req), req.params.boardId, req.body)),
  );
  app.put(
    '/api/boards/:boardId/oncall/policies/:policyId',
    {
      schema: {
        tags,
        summary: 'Replace an escalation policy (escalations already running keep their steps)',
        params: PolicyParams,
        body: PolicyBody,
        response: { 200: PolicySchema, ...errors },
      },
    },
    async (req) => oncall.updatePolicy(actor(req), req.params.boardId, req.params.policyId, req.body),
  );
  app.delete(
    '/api/boards/:boardId/oncall/policies/:policyId',
    {
      schema: {
        tags,
        summary: 'Delete an escalation policy',
        params: PolicyParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await oncall.deletePolicy(actor(req), req.params.boardId, req.params.policyId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/boards/:boardId/incidents/:cardId/escalation',
    {
      schema: {
        tags,
        summary: 'An incident’s escalation: pages sent, the next step, acknowledgement',
        params: Type.Object({ boardId: Uuid, cardId: Uuid }),
        response: { 200: EscalationSchema, ...errors },
      },
    },
    async (req) => oncall.escalation(actor(req), req.params.boardId, req.params.cardId),
  );
  app.post(
    '/api/boards/:boardId/incidents/:cardId/ack',
    {
      schema: {
        tags,
        summary:
          'Acknowledge an incident: its escalation pages no one further (a second acknowledgement is a 409)',
        params: Type.Object({ boardId: Uuid, cardId: Uuid }),
        response: { 200: EscalationSchema, ...errors },
      },
    },
    async (req) => oncall.acknowledge(actor(req), req.params.boardId, req.params.cardId),
  );
  app.get(
    '/api/boards/:boardId/reports/alert-noise',
    {
      schema: {
        tags: [...tags, 'reports'],
        summary:
          'Per alert source (plugin installation): the share of its tickets closed with no human action (default the last 30 days)',
        params: BoardParams,
        querystring: Days(366),
        response: { 200: AlertNoiseSchema, ...errors },
      },
    },
    async (req) => oncall.alertNoise(actor(req), req.params.boardId, days(req.query.days, 30, 366)),
  );
};
