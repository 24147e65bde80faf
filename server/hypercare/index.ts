/**
 * Hyper-care, assembled: the service, its routes and the window-end timer (pg-boss), scheduled from
 * the board events that set a window's end, and the warranty requirements measured during it. `buildApp` registers `routes` and calls `close()`.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { FlagService } from '../flags/service.ts';
import type { Db } from '../infra/database.ts';
import type { BoardEventBus } from '../sync/event-log.ts';
import * as repo from './repo.ts';
import { hypercareRoutes } from './routes.ts';
import { HypercareService } from './service.ts';
import { HypercareTimer } from './timer.ts';
import { warrantyRoutes } from './warranty-routes.ts';
import { WarrantyService } from './warranty-service.ts';

export interface HypercareDeps {
  db: Db;
  bus: BoardEventBus;
  flags: FlagService;
  connectionString: string;
  log: FastifyBaseLogger;
}

export async function createHypercare({ db, bus, flags, connectionString, log }: HypercareDeps) {
  const service = new HypercareService(db, bus);
  const warranty = new WarrantyService(db, bus);
  const timer = new HypercareTimer(connectionString, (err) => log.error({ err }, 'hyper-care timer error'));
  const unsubscribe = bus.subscribe((event) => {
    if (event.type !== 'hypercare.updated') return;
    const { hypercare } = event.payload;
    if (hypercare.state === 'exited') return;
    if (event.payload.change !== 'started' && event.payload.change !== 'extended') return;
    timer
      .schedule(hypercare.releaseId, new Date(hypercare.endsAt))
      .catch((err) =>
        log.error({ err, releaseId: hypercare.releaseId }, 'hyper-care window end not scheduled'),
      );
  });
  await timer.start({
    windowEnd: (releaseId) => service.windowEnd(releaseId),
    running: async () =>
      (await repo.running(db)).map((r) => ({ releaseId: r.release_id, endsAt: r.ends_at })),
  });
  return {
    service,
    timer,
    async routes(app: FastifyInstance) {
      await app.register(hypercareRoutes, { hypercare: service, flags });
      await app.register(warrantyRoutes, { warranty, flags });
    },
    async close() {
      unsubscribe();
      await timer.stop();
    },
  };
}
