/** SLA routes: the board's SLA document, the clocks of its incidents and requests, waiting and rating a card. */
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { SERVICE_DESK_FLAG } from '../../protocol/flags.ts';
import { ErrorSchema, Uuid } from '../../protocol/model.ts';
import {
  CardSlaChangeBody,
  CardSlaSchema,
  SlaClocksReplySchema,
  SlaDocumentReplySchema,
  SlaDocumentSchema,
} from '../../protocol/sla.ts';
import { actor } from '../auth/http.ts';
import { flagGate } from '../flags/gate.ts';
import type { FlagService } from '../flags/service.ts';
import { ifMatchRevision } from '../infra/http.ts';
import type { SlaService } from './service.ts';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
const BoardParams = Type.Object({ boardId: Uuid });
const CardParams = Type.Object({ boardId: Uuid, cardId: Uuid });
const tags = ['sla'];

export const slaRoutes: FastifyPluginAsyncTypebox<{ sla: SlaService; flags: FlagService }> = async (
  app,
  { sla, flags },
) => {
  // Part of the service desk, behind the `service-desk` feature flag (default on): off, every route
  // answers 404 saying so. The clocks and escalations keep running whatever the flag says.
  app.addHook('preHandler', flagGate(flags, SERVICE_DESK_FLAG, 'service-desk features'));
  app.get(
    '/api/boards/:boardId/sla',
    {
      schema: {
        tags,
        summary: "The board's SLA document (revision 0: the default, until someone saves one)",
        params: BoardParams,
        response: { 200: SlaDocumentReplySchema, ...errors },
      },
    },
    async (req) => sla.document(actor(req), req.params.boardId),
  );
  app.put(
    '/api/boards/:boardId/sla',
    {
      schema: {
        tags,
        summary:
          "Replace the board's SLA document: priority matrix, response and resolution targets per tier and for service requests, each with a 24x7 or business-hours calendar. Open clocks move to it at once. Send If-Match with the revision the change was made on to have a save over someone else's refused (409 STALE_VERSION)",
        params: BoardParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        body: SlaDocumentSchema,
        response: { 200: SlaDocumentReplySchema, ...errors },
      },
    },
    async (req) =>
      sla.saveDocument(
        actor(req),
        req.params.boardId,
        req.body,
        ifMatchRevision(req.headers['if-match'], 'SLA document'),
      ),
  );
  app.get(
    '/api/boards/:boardId/sla/clocks',
    {
      schema: {
        tags,
        summary:
          "Every incident's and service request's clocks on the board: time left, deadlines and status (ok, warning, breached, met, paused)",
        params: BoardParams,
        response: { 200: SlaClocksReplySchema, ...errors },
      },
    },
    async (req) => sla.clocks(actor(req), req.params.boardId),
  );
  app.get(
    '/api/boards/:boardId/cards/:cardId/sla',
    {
      schema: {
        tags,
        summary: "One card's SLA clocks (404 when it has none)",
        params: CardParams,
        response: { 200: CardSlaSchema, ...errors },
      },
    },
    async (req) => sla.clock(actor(req), req.params.boardId, req.params.cardId),
  );
  app.patch(
    '/api/boards/:boardId/cards/:cardId/sla',
    {
      schema: {
        tags,
        summary:
          'Mark the card waiting on the customer or a third party (its clocks pause; null resumes them), or rate its impact and urgency (its tier follows the matrix)',
        params: CardParams,
        body: CardSlaChangeBody,
        response: { 200: CardSlaSchema, ...errors },
      },
    },
    async (req) => sla.change(actor(req), req.params.boardId, req.params.cardId, req.body),
  );
};
