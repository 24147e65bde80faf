/**
 * Prometheus metrics: HTTP requests and latency, connected sockets, move groups and moves shed, the
 * database pool, the queues (webhook backlog, pg-boss jobs), releases by state and the running version. One registry per
 * app. The names are the contract of ops/monitoring/ (alerts and dashboard; test/drills/monitoring.test.ts).
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RELEASE_STATES } from '../../protocol/releases.ts';
import {
  type Deadlines,
  deadlines,
  type JobCount,
  releasesByState,
  unfinishedJobs,
  type WebhookBacklog,
  webhookBacklog,
} from './backlog-repo.ts';

/** A scrape waits this long for the queue counts before reporting the database down. */
const PROBE_TIMEOUT_MS = 2000;

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

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
    help: 'card moves refused with OVERLOADED (person_rate, board_queue, board_wait, process_queue, event_loop)',
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
  registerQueueGauges(registry, pool);
  new Gauge({
    name: 'blendboard_build_info',
    help: 'always 1: the Blendboard version and Node.js version this instance runs',
    labelNames: ['version', 'node'],
    registers: [registry],
  }).set({ version, node: process.version }, 1);
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

/**
 * Gauges read from the database at scrape time, all from one probe per scrape: the queues live in
 * PostgreSQL, so every instance on one database reports the same values (alert on max, not sum).
 * A probe that fails or takes over PROBE_TIMEOUT_MS sets blendboard_database_up to 0 and leaves the
 * queue gauges empty rather than stale.
 */
function registerQueueGauges(registry: Registry, pool: pg.Pool): void {
  type Probe = {
    backlog: WebhookBacklog;
    jobs: JobCount[];
    releases: Map<string, number>;
    deadlines: Deadlines;
  } | null;
  let current: { at: number; result: Promise<Probe> } | null = null;
  const probe = (): Promise<Probe> => {
    if (current && Date.now() - current.at < 1000) return current.result;
    const work = Promise.all([
      webhookBacklog(pool),
      unfinishedJobs(pool),
      releasesByState(pool),
      deadlines(pool),
    ]).then(([backlog, jobs, releases, due]) => ({ backlog, jobs, releases, deadlines: due }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS);
    });
    const result = Promise.race([work.catch(() => null), timeout]).finally(() => clearTimeout(timer));
    current = { at: Date.now(), result };
    return result;
  };
  new Gauge({
    name: 'blendboard_database_up',
    help: `1 when this scrape's database probe (the queue counts) answered within ${PROBE_TIMEOUT_MS / 1000} s, else 0`,
    registers: [registry],
    async collect() {
      this.set((await probe()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'blendboard_webhook_backlog_deliveries',
    help: 'webhook deliveries acknowledged (202) and not yet processed into tickets',
    registers: [registry],
    async collect() {
      const p = await probe();
      this.reset();
      if (p) this.set(p.backlog.deliveries);
    },
  });
  new Gauge({
    name: 'blendboard_webhook_backlog_oldest_age_seconds',
    help: 'age of the oldest acknowledged, unprocessed webhook delivery (0 when none waits)',
    registers: [registry],
    async collect() {
      const p = await probe();
      this.reset();
      if (p) this.set(p.backlog.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'blendboard_queue_jobs',
    help: 'unfinished pg-boss jobs by queue and state (created, retry, active)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const p = await probe();
      this.reset();
      for (const j of p?.jobs ?? []) this.set({ queue: j.queue, state: j.state }, j.jobs);
    },
  });
  new Gauge({
    name: 'blendboard_queue_oldest_job_age_seconds',
    help: 'age of the oldest unfinished pg-boss job by queue and state (active: since it started)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const p = await probe();
      this.reset();
      for (const j of p?.jobs ?? []) this.set({ queue: j.queue, state: j.state }, j.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'blendboard_releases',
    help: 'releases by state, every board (planned, on_path, stopped, firebreak, awaiting_go, live, cancelled)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const p = await probe();
      this.reset();
      // every state is exported, at 0 when no release is in it, so a panel or alert never sees a gap
      if (p) for (const state of RELEASE_STATES) this.set({ state }, p.releases.get(state) ?? 0);
    },
  });
  const deadlineGauge = (name: string, help: string, read: (d: Deadlines) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const p = await probe();
        this.reset();
        if (p) this.set(read(p.deadlines));
      },
    });
  deadlineGauge(
    'blendboard_sla_deadlines_pending',
    'SLA warnings and breaches still to announce (open clocks with a next deadline), every board',
    (d) => d.slaPending,
  );
  deadlineGauge(
    'blendboard_sla_deadline_overdue_seconds',
    'how long ago the oldest SLA deadline passed without being announced (0 when none has): the scheduler is behind or stopped',
    (d) => d.slaOverdueSeconds,
  );
  deadlineGauge(
    'blendboard_escalations_pending',
    'escalations of unacknowledged incidents with a next step to page, every board',
    (d) => d.escalationsPending,
  );
  deadlineGauge(
    'blendboard_escalation_overdue_seconds',
    'how long ago the oldest escalation step fell due without being paged (0 when none has)',
    (d) => d.escalationOverdueSeconds,
  );
}
