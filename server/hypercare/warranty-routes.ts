/** Warranty requirement routes: a release's non-functional acceptance criteria and what was measured. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import { WarrantyMeasurementBody, WarrantyRequirementBody, WarrantySchema } from '../../protocol/warranty.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import type { WarrantyService } from './warranty-service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const Params = Type.Object({ boardId: Uuid, releaseId: Uuid });
const ItemParams = Type.Object({ boardId: Uuid, releaseId: Uuid, requirementId: Uuid });
const tags = ['hyper-care'];
const base = '/api/boards/:boardId/releases/:releaseId/warranty';

export const warrantyRoutes: FastifyPluginAsyncTypebox<{
  warranty: WarrantyService;
  flags: FlagService;
}> = async (app, { warranty, flags }) => {
  // Part of releases: behind the same `releases` feature flag.
  app.addHook('preHandler', flagGate(flags, 'releases', 'releases'));
  app.get(
    base,
    {
      schema: {
        tags,
        summary:
          "A release's warranty requirements (non-functional acceptance criteria), each met, not met or not measured, with what was measured and what hyper-care suggests",
        params: Params,
        response: { 200: WarrantySchema, ...errors },
      },
    },
    async (req) => warranty.get(actor(req), req.params.boardId, req.params.releaseId),
  );
  app.post(
    `${base}/requirements`,
    {
      schema: {
        tags,
        summary: 'Add a warranty requirement to a planned release (category, statement, measurable target)',
        params: Params,
        body: WarrantyRequirementBody,
        response: { 200: WarrantySchema, ...errors },
      },
    },
    async (req) => warranty.add(actor(req), req.params.boardId, req.params.releaseId, req.body),
  );
  app.put(
    `${base}/requirements/:requirementId`,
    {
      schema: {
        tags,
        summary: 'Change a warranty requirement of a planned release',
        params: ItemParams,
        body: WarrantyRequirementBody,
        response: { 200: WarrantySchema, ...errors },
      },
    },
    async (req) =>
      warranty.update(
        actor(req),
        req.params.boardId,
        req.params.releaseId,
        req.params.requirementId,
        req.body,
      ),
  );
  app.delete(
    `${base}/requirements/:requirementId`,
    {
      schema: {
        tags,
        summary: 'Remove a warranty requirement from a planned release',
        params: ItemParams,
        response: { 200: WarrantySchema, ...errors },
      },
    },
    async (req) =>
      warranty.remove(actor(req), req.params.boardId, req.params.releaseId, req.params.requirementId),
  );
  app.post(
    `${base}/requirements/:requirementId/measurements`,
    {
      schema: {
        tags,
        summary:
          'Record what was measured against a warranty requirement of a live release (value, when, note; by the caller)',
        params: ItemParams,
        body: WarrantyMeasurementBody,
        response: { 200: WarrantySchema, ...errors },
      },
    },
    async (req) =>
      warranty.measure(
        actor(req),
        req.params.boardId,
        req.params.releaseId,
        req.params.requirementId,
        req.body,
      ),
  );
};
