/** Hyper-care routes: board defaults, a release's plan, its hyper-care, the handover, decisions, incident links. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  ChecklistTickBody,
  ExtendBody,
  HypercarePlanSchema,
  HypercareSchema,
  HypercareSettingsSchema,
  LinkIncidentBody,
  NoteBody,
  ReasonBody,
} from '../../protocol/hypercare.ts';
import { CardSchema, ErrorSchema, Uuid } from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from '../flags/service.ts';
import type { HypercareService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const Params = Type.Object({ boardId: Uuid, releaseId: Uuid });
const tags = ['hyper-care'];
const base = '/api/boards/:boardId/releases/:releaseId/hypercare';

export const hypercareRoutes: FastifyPluginAsyncTypebox<{
  hypercare: HypercareService;
  flags: FlagService;
}> = async (app, { hypercare, flags }) => {
  // Part of releases: behind the same `releases` feature flag.
  app.addHook('preHandler', async (req) =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, 'releases', 'releases'),
  );
  app.get(
    '/api/boards/:boardId/hypercare-settings',
    {
      schema: {
        tags,
        summary: "The board's hyper-care defaults: window, automatic extension, handover point, checklist",
        params: BoardParams,
        response: { 200: HypercareSettingsSchema, ...errors },
      },
    },
    async (req) => hypercare.settings(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/hypercare-settings',
    {
      schema: {
        tags,
        summary: "Set the board's hyper-care defaults (releases going live later use them)",
        params: BoardParams,
        body: HypercareSettingsSchema,
        response: { 200: HypercareSettingsSchema, ...errors },
      },
    },
    async (req) => hypercare.saveSettings(actor(req), req.params.boardId, req.body),
  );
  app.get(
    '/api/boards/:boardId/hypercare',
    {
      schema: {
        tags,
        summary:
          "The board's running hyper-care (not exited), one per live release: what every screen's hyper-care badges follow",
        params: BoardParams,
        response: { 200: Type.Array(HypercareSchema), ...errors },
      },
    },
    async (req) => hypercare.running(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/releases/:releaseId/hypercare-plan',
    {
      schema: {
        tags,
        summary:
          "A release's own hyper-care window and handover point, set before it goes live (null: the board's)",
        params: Params,
        body: HypercarePlanSchema,
        response: { 200: HypercarePlanSchema, ...errors },
      },
    },
    async (req) => hypercare.savePlan(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.get(
    base,
    {
      schema: {
        tags,
        summary: 'The hyper-care of a live release: window, owner, handover, checklist, decisions',
        params: Params,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) => hypercare.get(actor(req), req.params.boardId, req.params.releaseId),
  );
  app.post(
    `${base}/checklist`,
    {
      schema: {
        tags,
        summary: 'Tick or untick a handover checklist item (the dev team)',
        params: Params,
        body: ChecklistTickBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) =>
      hypercare.tick(actor(req), req.params.boardId, req.params.releaseId, req.body.key, req.body.done),
  );
  app.post(
    `${base}/handover/submit`,
    {
      schema: {
        tags,
        summary: 'Submit the handover to the AMS lead (every checklist item done)',
        params: Params,
        body: NoteBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) => hypercare.submit(actor(req), req.params.boardId, req.params.releaseId, req.body.note),
  );
  app.post(
    `${base}/handover/accept`,
    {
      schema: {
        tags,
        summary:
          "Accept the handover (AMS lead: maintenance or admin role): the release's open tickets move to the maintenance stream in one event",
        params: Params,
        body: NoteBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) => hypercare.accept(actor(req), req.params.boardId, req.params.releaseId, req.body.note),
  );
  app.post(
    `${base}/handover/reject`,
    {
      schema: {
        tags,
        summary: 'Reject the handover with a reason (AMS lead); the dev team works on it and submits again',
        params: Params,
        body: ReasonBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) => hypercare.reject(actor(req), req.params.boardId, req.params.releaseId, req.body.reason),
  );
  app.post(
    `${base}/extend`,
    {
      schema: {
        tags,
        summary: 'Extend hyper-care to a later end, saying why (a recorded decision)',
        params: Params,
        body: ExtendBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) =>
      hypercare.extend(
        actor(req),
        req.params.boardId,
        req.params.releaseId,
        req.body.endsAt,
        req.body.reason,
      ),
  );
  app.post(
    `${base}/exit`,
    {
      schema: {
        tags,
        summary: 'End hyper-care early, saying why (a recorded decision)',
        params: Params,
        body: ReasonBody,
        response: { 200: HypercareSchema, ...errors },
      },
    },
    async (req) => hypercare.exitEarly(actor(req), req.params.boardId, req.params.releaseId, req.body.reason),
  );
  app.post(
    `${base}/incidents`,
    {
      schema: {
        tags,
        summary:
          'Link an incident or defect to the live release: during hyper-care it goes to the owning stream, flagged hyper-care and expedited; after it, to maintenance',
        params: Params,
        body: LinkIncidentBody,
        response: { 200: CardSchema, ...errors },
      },
    },
    async (req) =>
      hypercare.linkIncident(actor(req), req.params.boardId, req.params.releaseId, req.body.cardId),
  );
};
