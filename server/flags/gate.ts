/**
 * A route plugin's gate on a boolean flag: registered as a preHandler, every route of the plugin
 * answers 404 naming the flag when it is off for the caller on the route's board (requireEnabled).
 */
import type { FastifyRequest } from 'fastify';
import { actor } from '../auth/http.ts';
import type { FlagService } from './service.ts';

export const flagGate =
  (flags: Pick<FlagService, 'requireEnabled'>, key: string, feature: string) =>
  async (req: FastifyRequest): Promise<void> =>
    flags.requireEnabled(actor(req), (req.params as { boardId: string }).boardId, key, feature);
