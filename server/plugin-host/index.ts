/**
 * The plugin host, assembled: discover plugins, start the queue (pg-boss on the same database),
 * wire inbound webhooks, delivery processing and board-event hooks, and expose the routes.
 * `buildApp` registers `routes` and calls `close()` when the app closes.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { FlagService } from '../flags/service.ts';
import type { Db } from '../infra/database.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { SecretBox } from '../infra/secret-box.ts';
import type { ReleaseService } from '../releases/service.ts';
import type { BoardEventBus } from '../sync/event-log.ts';
import { DeliveryWriter, WebhookReceiver } from './inbound.ts';
import { DeliveryProcessor, HookRunner, InstallationDirectory } from './processor.ts';
import { PluginQueue } from './queue.ts';
import { discoverPlugins, type PluginRegistry } from './registry.ts';
import * as repo from './repo.ts';
import { pluginRoutes, webhookRoutes } from './routes.ts';
import { PluginService } from './service.ts';

export interface PluginHostDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  bus: BoardEventBus;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** seals installation secrets when stored, opens them to verify inbound webhooks */
  secrets: SecretBox;
  /** applies the deployment and check runs plugins report on releases */
  releases?: ReleaseService;
  /** feature flags: release reports respect the board's `releases` flag */
  flags?: FlagService;
}

export interface PluginHost {
  registry: PluginRegistry;
  service: PluginService;
  routes(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

/** pg-boss gets the same database as the app: its URL from config, or the one the pool was made with. */
export function connectionStringOf(config: Config, pool: pg.Pool): string {
  const fromPool = (pool as unknown as { options?: { connectionString?: string } }).options?.connectionString;
  const url = fromPool ?? config.DATABASE_URL;
  if (!url) throw new Error('the plugin queue needs the database URL the pool was created with');
  return url;
}

export async function createPluginHost({
  config,
  db,
  pool,
  bus,
  metrics,
  log,
  secrets,
  releases,
  flags,
}: PluginHostDeps): Promise<PluginHost> {
  const registry = await discoverPlugins({
    pluginDir: config.PLUGIN_DIR,
    packages: (config.PLUGIN_PACKAGES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  });
  for (const e of registry.errors) log.error({ location: e.location }, `plugin not loaded: ${e.message}`);
  log.info({ plugins: registry.list().map((p) => `${p.def.id}@${p.def.version}`) }, 'plugins loaded');

  const queue = new PluginQueue({
    connectionString: connectionStringOf(config, pool),
    retryLimit: config.PLUGIN_RETRY_LIMIT,
    retryDelaySeconds: config.PLUGIN_RETRY_DELAY_SECONDS,
    // A lane round of 200 runs handlers 64 at a time, each up to the timeout; then a job expires and
    // is retried (a round waiting behind a hung one can take a few rounds' time).
    expireInSeconds: Math.ceil((config.PLUGIN_TIMEOUT_MS / 1000) * 20) + 120,
    concurrency: config.PLUGIN_CONCURRENCY,
    poolMax: 4,
    onError: (err) => log.error({ err }, 'plugin queue error'),
  });
  const directory = new InstallationDirectory(db);
  const deps = {
    db,
    bus,
    registry,
    directory,
    timeoutMs: config.PLUGIN_TIMEOUT_MS,
    concurrency: config.PLUGIN_CONCURRENCY,
    log,
    releases,
    flags,
    processed: metrics.counter(
      'blendboard_webhook_processed_total',
      'webhook deliveries processed, by plugin and outcome',
      ['plugin', 'outcome'],
    ),
  };
  const processor = new DeliveryProcessor(deps);
  const hooks = new HookRunner(deps, queue);
  const receiver = new WebhookReceiver({
    db,
    registry,
    directory,
    secrets,
    writer: new DeliveryWriter(db, queue),
    log,
    received: metrics.counter(
      'blendboard_webhook_received_total',
      'inbound webhook requests, by plugin and reply (202, duplicate, 400, 401, 404, 413, 503)',
      ['plugin', 'result'],
    ),
  });
  const service = new PluginService(db, bus, registry, directory, queue, secrets);

  await queue.start({
    deliveries: (jobs) => processor.processBatch(jobs),
    unfinished: async (before, after, limit) => {
      const rows = await repo.unfinishedDeliveries(db, before, after, limit);
      if (after === null && rows.length > 0) {
        log.info({ deliveries: rows.length }, 'resuming deliveries acknowledged before start-up');
      }
      return rows.map((r) => ({ deliveryId: r.id, installationId: r.installation_id }));
    },
    hook: (job, attempt) => hooks.run(job, attempt),
    retention: async () => {
      await repo.deleteDeliveriesBefore(
        db,
        new Date(Date.now() - config.WEBHOOK_RETENTION_DAYS * 86_400_000),
      );
    },
  });
  const unsubscribe = bus.subscribe((event) => hooks.onEvent(event));

  return {
    registry,
    service,
    async routes(app) {
      await app.register(pluginRoutes, { plugins: service, publicUrl: config.PUBLIC_URL });
      await app.register(webhookRoutes, {
        receiver,
        bodyLimit: config.WEBHOOK_BODY_LIMIT_BYTES,
        ratePerMinute: config.WEBHOOK_RATE_LIMIT,
      });
    },
    async close() {
      unsubscribe();
      await queue.stop();
    },
  };
}
