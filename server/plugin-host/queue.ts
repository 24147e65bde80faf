/**
 * The durable work queue for plugins, on pg-boss (PostgreSQL-backed, same database): one job per
 * stored delivery and per board-event hook run. Failed jobs are retried with exponential backoff;
 * a job left active by a crash expires and runs again. Delivery jobs are enqueued in the same
 * transaction that stores the delivery, so a 2xx always means "stored and queued".
 */
import type { Transaction } from 'kysely';
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../infra/schema.ts';

export const DELIVERY_QUEUE = 'plugin-delivery';
export const HOOK_QUEUE = 'plugin-hook';
export const RETENTION_QUEUE = 'plugin-delivery-retention';

export interface QueueOptions {
  connectionString: string;
  retryLimit: number;
  retryDelaySeconds: number;
  /** how long one job may stay active before it is failed and retried (crash recovery) */
  expireInSeconds: number;
  /** jobs processed at once per worker; two workers per queue */
  concurrency: number;
  poolMax: number;
  onError: (err: unknown) => void;
}

export interface DeliveryJob {
  deliveryId: string;
}
export interface HookJob {
  installationId: string;
  boardId: string;
  seq: number;
  hook: string;
}

export interface JobAttempt {
  /** no retries left after this one */
  final: boolean;
}

export interface QueueHandlers {
  delivery(job: DeliveryJob, attempt: JobAttempt): Promise<void>;
  hook(job: HookJob, attempt: JobAttempt): Promise<void>;
  retention(): Promise<void>;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

const WORKERS_PER_QUEUE = 2;

export class PluginQueue {
  private readonly boss: PgBoss;
  private readonly deliveryWorkers: string[] = [];
  private started = false;

  constructor(private readonly options: QueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: options.poolMax,
      application_name: 'blendboard-plugins',
      // Expired jobs (active past expireInSeconds, e.g. after a crash) are failed into a retry each minute.
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', options.onError);
  }

  private sendOptions(): PgBoss.SendOptions {
    return {
      retryLimit: this.options.retryLimit,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.expireInSeconds,
    };
  }

  async start(handlers: QueueHandlers): Promise<void> {
    await this.boss.start();
    this.started = true;
    for (const q of [DELIVERY_QUEUE, HOOK_QUEUE, RETENTION_QUEUE]) await this.boss.createQueue(q);
    const batchSize = this.options.concurrency * 2;

    const worker = async <T extends object>(
      queue: string,
      run: (data: T, attempt: JobAttempt) => Promise<void>,
      ids: string[] | null,
    ) => {
      let id = '';
      id = await this.boss.work<T>(
        queue,
        { batchSize, pollingIntervalSeconds: 0.5, includeMetadata: true },
        async (jobs) => {
          let unreported: unknown = null;
          await mapLimit(jobs, this.options.concurrency, async (job) => {
            try {
              await run(job.data, { final: job.retryCount >= job.retryLimit });
            } catch (err) {
              // Fail this job alone (retried with backoff); the rest of the batch completes.
              try {
                await this.boss.fail(queue, job.id, {
                  message: err instanceof Error ? err.message : String(err),
                });
              } catch (reportErr) {
                unreported = reportErr;
              }
            }
          });
          // If a failure could not be recorded, fail the whole batch rather than lose it: work is
          // idempotent per delivery, so the jobs that succeeded are skipped when they run again.
          if (unreported) throw unreported;
          if (jobs.length === batchSize) this.boss.notifyWorker(id);
        },
      );
      ids?.push(id);
    };
    for (let i = 0; i < WORKERS_PER_QUEUE; i++) {
      await worker<DeliveryJob>(DELIVERY_QUEUE, (d, a) => handlers.delivery(d, a), this.deliveryWorkers);
      await worker<HookJob>(HOOK_QUEUE, (d, a) => handlers.hook(d, a), null);
    }
    await this.boss.work(RETENTION_QUEUE, async () => handlers.retention());
    await this.boss.schedule(RETENTION_QUEUE, '17 3 * * *');
  }

  /** Enqueue inside the caller's transaction: the job exists exactly when the delivery row does. */
  async sendDelivery(trx: Transaction<Database>, deliveryId: string): Promise<void> {
    const db: PgBoss.Db = {
      executeSql: async (text, values) => {
        const r = await trx.executeQuery(CompiledQuery.raw(text, values));
        return { rows: r.rows as unknown[] };
      },
    };
    await this.boss.send(DELIVERY_QUEUE, { deliveryId } satisfies DeliveryJob, { ...this.sendOptions(), db });
  }

  async replayDelivery(deliveryId: string): Promise<void> {
    await this.boss.send(DELIVERY_QUEUE, { deliveryId } satisfies DeliveryJob, this.sendOptions());
    this.wake();
  }

  async sendHook(job: HookJob): Promise<void> {
    await this.boss.send(HOOK_QUEUE, job, this.sendOptions());
  }

  /** Let an idle local worker fetch now instead of at its next poll. */
  wake(): void {
    for (const id of this.deliveryWorkers) this.boss.notifyWorker(id);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
