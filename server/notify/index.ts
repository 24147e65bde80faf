/**
 * Outgoing notifications, assembled: the outbox subscriber on the event bus (in-transaction), the
 * pg-boss queue and its deliverer, the service and routes. `buildApp` registers `routes` and calls
 * `close()` when the app closes.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../infra/database.ts';
import type { SecretBox } from '../infra/secret-box.ts';
import type { BoardEventBus } from '../sync/event-log.ts';
import { deliver } from './deliverer.ts';
import { NotificationOutbox } from './outbox.ts';
import { NotifyQueue } from './queue.ts';
import { notificationRoutes } from './routes.ts';
import { NotificationService } from './service.ts';

export interface NotifierDeps {
  config: Config;
  db: Db;
  /** the database URL, for pg-boss */
  connectionString: string;
  bus: BoardEventBus;
  secrets: SecretBox;
  log: FastifyBaseLogger;
}

export interface Notifier {
  service: NotificationService;
  routes(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

export async function createNotifier({
  config,
  db,
  connectionString,
  bus,
  secrets,
  log,
}: NotifierDeps): Promise<Notifier> {
  const leaseSeconds = Math.ceil(config.NOTIFY_TIMEOUT_MS / 1000) + 30;
  const queue = new NotifyQueue({
    connectionString,
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    retryDelaySeconds: config.NOTIFY_RETRY_DELAY_SECONDS,
    // longer than an attempt's lease, so a job run again after a crash finds the delivery free
    expireInSeconds: leaseSeconds + 60,
    concurrency: config.NOTIFY_CONCURRENCY,
    onError: (err) => log.error({ err }, 'notification queue error'),
  });
  const allowPrivate = config.NOTIFY_ALLOW_PRIVATE;
  await queue.start((attempt) =>
    deliver({ db, secrets, timeoutMs: config.NOTIFY_TIMEOUT_MS, allowPrivate, log }, attempt),
  );
  const unsubscribe = bus.subscribeInTransaction(new NotificationOutbox(queue, config.PUBLIC_URL));
  const service = new NotificationService(db, secrets, queue, { allowPrivate });
  return {
    service,
    async routes(app) {
      await app.register(notificationRoutes, { notifications: service });
    },
    async close() {
      unsubscribe();
      await queue.stop();
    },
  };
}
