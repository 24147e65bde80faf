/** Prometheus metrics: HTTP requests and latency, connected sockets, move groups and moves shed, database pool. One registry per app. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  sockets: Gauge;
  /** how many card moves each move commit carried (server/cards/move-commits.ts) */
  moveGroups: Histogram;
  /** card moves refused at once under overload, by reason (server/sync/move-admission.ts) */
  movesShed: Counter<'reason'>;
  /** extra counters other features register (e.g. webhook deliveries) */
  counter(name: string, help: string, labelNames?: string[]): Counter;
}

export function createMetrics(pool: pg.Pool): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const sockets = new Gauge({
    name: 'blendboard_realtime_sockets',
    help: 'connected socket.io clients',
    registers: [registry],
  });
  const moveGroups = new Histogram({
    name: 'blendboard_move_group_size',
    help: 'card moves per move-write statement (1 on a quiet board; a failed group is retried in halves, each counted)',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const movesShed = new Counter({
    name: 'blendboard_moves_shed_total',
    help: 'card moves refused with OVERLOADED (board_queue, board_wait, board_rate, process_queue, event_loop)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'blendboard_db_pool_connections',
    help: 'database pool connections by state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  const counters = new Map<string, Counter>();
  return {
    registry,
    sockets,
    moveGroups,
    movesShed,
    counter(name, help, labelNames = []) {
      let c = counters.get(name);
      if (!c) {
        c = new Counter({ name, help, labelNames, registers: [registry] });
        counters.set(name, c);
      }
      return c;
    },
  };
}

export function instrumentHttp(app: FastifyInstance, metrics: Metrics): void {
  const requests = new Counter({
    name: 'blendboard_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics.registry],
  });
  const latency = new Histogram({
    name: 'blendboard_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
}
