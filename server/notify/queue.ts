/**
 * The durable queue of notification deliveries, on pg-boss like the plugin queue
 * (server/plugin-host/queue.ts): one job per delivery row, inserted in the transaction that writes
 * the row, so the job exists exactly when the delivery does. pg-boss retries a failed job with
 * exponential backoff up to the attempt limit, and a job left active by a crash expires and runs
 * again. An instance with concurrency 0 records and queues but does not send.
 */
import { CompiledQuery, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../infra/schema.ts';
import { mapLimit } from '../plugin-host/queue.ts';

export const NOTIFY_QUEUE = 'notification-delivery';

export interface NotifyQueueOptions {
  connectionString: string;
  /** attempts in all: the first plus retries */
  maxAttempts: number;
  retryDelaySeconds: number;
  /** how long a job may stay active before it is failed and retried (crash recovery) */
  expireInSeconds: number;
  /** deliveries sent at once; 0: this instance sends none */
  concurrency: number;
  onError: (err: unknown) => void;
}

export interface DeliveryAttempt {
  deliveryId: string;
  /** no retries left after this one */
  final: boolean;
}

export class NotifyQueue {
  private readonly boss: PgBoss;
  private started = false;

  constructor(private readonly options: NotifyQueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: 2,
      application_name: 'blendboard-notifications',
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', (err) => {
      if (this.started) options.onError(err);
    });
  }

  async start(deliver: (attempt: DeliveryAttempt) => Promise<void>): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.boss.createQueue(NOTIFY_QUEUE);
    if (this.options.concurrency === 0) return;
    await this.boss.work<{ deliveryId: string }>(
      NOTIFY_QUEUE,
      { batchSize: this.options.concurrency, pollingIntervalSeconds: 0.5, includeMetadata: true },
      async (jobs) => {
        const errors: (Error | null)[] = jobs.map(() => null);
        await mapLimit(
          jobs.map((job, index) => ({ job, index })),
          this.options.concurrency,
          async ({ job, index }) => {
            try {
              await deliver({ deliveryId: job.data.deliveryId, final: job.retryCount >= job.retryLimit });
            } catch (err) {
              errors[index] = err instanceof Error ? err : new Error(String(err));
            }
          },
        );
        // The failed ones are retried with backoff; the rest of the batch completes.
        for (const [i, err] of errors.entries())
          if (err) await this.boss.fail(NOTIFY_QUEUE, jobs[i]!.id, { message: err.message });
      },
    );
  }

  /** Queue deliveries inside the caller's transaction. */
  async sendInTransaction(trx: Transaction<Database>, deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const db: PgBoss.Db = {
      executeSql: async (text, values) => {
        const r = await trx.executeQuery(CompiledQuery.raw(text, values));
        return { rows: r.rows as unknown[] };
      },
    };
    await this.boss.insert(
      deliveryIds.map((deliveryId) => ({
        name: NOTIFY_QUEUE,
        data: { deliveryId },
        retryLimit: this.options.maxAttempts - 1,
        retryDelay: this.options.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: this.options.expireInSeconds,
      })),
      { db },
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
