/** Feature-flag routes: the catalogue and its overrides, the audit log, and the caller's evaluated flags. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import {
  EvaluatedFlagsSchema,
  FlagAuditEntrySchema,
  FlagKey,
  FlagSchema,
  SetFlagOverrideBody,
} from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import { actor } from '../auth/http.ts';
import type { FlagService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };
const tags = ['feature flags'];

export const flagRoutes: FastifyPluginAsyncTypebox<{ flags: FlagService }> = async (app, { flags }) => {
  app.get(
    '/api/flags',
    {
      schema: {
        tags,
        summary: 'Every feature flag with its overrides (site administrators)',
        response: { 200: Type.Array(FlagSchema), ...errors },
      },
    },
    async (req) => flags.list(actor(req)),
  );
  app.put(
    '/api/flags/:key/overrides',
    {
      schema: {
        tags,
        summary:
          "Set (or, with value null, remove) a flag's override for the installation, a board, a role or a role on a board; audited and applied live (site administrators)",
        params: Type.Object({ key: FlagKey }),
        body: SetFlagOverrideBody,
        response: { 200: FlagSchema, ...errors },
      },
    },
    async (req) => flags.setOverride(actor(req), req.params.key, req.body),
  );
  app.get(
    '/api/flags/audit',
    {
      schema: {
        tags,
        summary:
          'Who changed which flag, when, from what to what and why; newest first (site administrators)',
        querystring: Type.Object({
          flagKey: Type.Optional(FlagKey),
          limit: Type.Optional(
            Type.String({ pattern: '^[1-9]\\d{0,2}$', description: '1 to 999, default 200' }),
          ),
        }),
        response: { 200: Type.Array(FlagAuditEntrySchema), ...errors },
      },
    },
    async (req) =>
      flags.audit(actor(req), {
        flagKey: req.query.flagKey,
        limit: req.query.limit ? Number(req.query.limit) : undefined,
      }),
  );
  app.get(
    '/api/flags/evaluated',
    {
      schema: {
        tags,
        summary: "The flags' values for the caller, on a board when one is named",
        querystring: Type.Object({ boardId: Type.Optional(Uuid) }),
        response: { 200: EvaluatedFlagsSchema, ...errors },
      },
    },
    async (req) => flags.evaluated(actor(req), req.query.boardId ?? null),
  );
};
