/**
 * The durable work queue for plugins, on pg-boss (PostgreSQL-backed, same database): one job per
 * stored delivery and per board-event hook run. Failed jobs are retried with exponential backoff;
 * a job left active by a crash expires and runs again. Delivery jobs are inserted in the same
 * transaction that stores the deliveries, so a 2xx always means "stored and queued". Deliveries are
 * fetched by one loop into per-installation lanes (order kept per installation); hooks use workers.
 * On start-up, deliveries acknowledged earlier and still unprocessed go into the lanes first.
 */
import type { Transaction } from 'kysely';
import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../infra/schema.ts';
import { orderedId } from './ordered-id.ts';

export const DELIVERY_QUEUE = 'plugin-delivery';
export const HOOK_QUEUE = 'plugin-hook';
export const RETENTION_QUEUE = 'plugin-delivery-retention';

export interface QueueOptions {
  connectionString: string;
  retryLimit: number;
  retryDelaySeconds: number;
  /** how long one job may stay active before it is failed and retried (crash recovery) */
  expireInSeconds: number;
  /** hook jobs run at once per hook worker (there are two) */
  concurrency: number;
  poolMax: number;
  onError: (err: unknown) => void;
}

export interface DeliveryJob {
  deliveryId: string;
  installationId: string;
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
  /** a batch of deliveries; returns, per job, null or the error that fails it (retried with backoff) */
  deliveries(jobs: { deliveryId: string; final: boolean }[]): Promise<(Error | null)[]>;
  /**
   * Deliveries acknowledged before `before` and not processed yet, in arrival order, the page after
   * delivery `after` (null: from the start).
   */
  unfinished(before: Date, after: string | null, limit: number): Promise<DeliveryJob[]>;
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

/** deliveries fetched at once */
const FETCH_BATCH = 100;
/** deliveries one lane round takes: large rounds let repeats of one failure share a transaction */
const LANE_ROUND = 200;
/** fetched but unfinished deliveries before the loop stops fetching */
const MAX_IN_FLIGHT = 1000;
/** unfinished deliveries read at once on start-up */
const RESUME_PAGE = 500;

/** A delivery in a lane: from a queue job, or (jobId null) resumed from the delivery log on start-up. */
interface LaneItem {
  jobId: string | null;
  deliveryId: string;
  installationId: string;
  final: boolean;
}

interface Lane {
  pending: LaneItem[];
  running: Promise<void> | null;
}

export class PluginQueue {
  private readonly boss: PgBoss;
  private started = false;
  private loop: Promise<void> | null = null;
  private readonly lanes = new Map<string, Lane>();
  private inFlight = 0;
  private wakeUp: () => void = () => {};

  constructor(private readonly options: QueueOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      max: options.poolMax,
      application_name: 'blendboard-plugins',
      // Expired jobs (active past expireInSeconds, e.g. after a crash) are failed into a retry each minute.
      maintenanceIntervalSeconds: 60,
    });
    // Once stopping, pg-boss's own connections may be cut by the database shutting down after it:
    // expected, not an error worth an operator's attention.
    this.boss.on('error', (err) => {
      if (this.started) options.onError(err);
    });
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
    const startedAt = new Date();
    this.loop = this.resume(handlers, startedAt).then(() => this.deliveryLoop(handlers));

    // Hooks: one job per (event, installation, hook), a few at a time.
    for (let i = 0; i < 2; i++) {
      await this.boss.work<HookJob>(
        HOOK_QUEUE,
        { batchSize: this.options.concurrency, pollingIntervalSeconds: 0.5, includeMetadata: true },
        async (jobs) => {
          const errors: (Error | null)[] = jobs.map(() => null);
          await mapLimit(
            jobs.map((job, index) => ({ job, index })),
            this.options.concurrency,
            async ({ job, index }) => {
              try {
                await handlers.hook(job.data, { final: job.retryCount >= job.retryLimit });
              } catch (err) {
                errors[index] = err instanceof Error ? err : new Error(String(err));
              }
            },
          );
          await this.failEach(HOOK_QUEUE, jobs, errors);
        },
      );
    }
    await this.boss.work(RETENTION_QUEUE, async () => handlers.retention());
    await this.boss.schedule(RETENTION_QUEUE, '17 3 * * *');
  }

  /**
   * Deliveries acknowledged before this server started and still unprocessed: a server killed with
   * deliveries in hand leaves their jobs active until they expire, so without this they would wait
   * that long, and deliveries received after the restart would overtake them. They go into the lanes
   * in arrival order before the loop fetches anything. Their queue jobs, when they come round, find
   * them processed and complete. With several servers a starting one may also take deliveries a
   * running one holds: the handler can then run twice, but a delivery takes effect once (it is
   * marked processed in the transaction that applies it).
   */
  private async resume(handlers: QueueHandlers, before: Date): Promise<void> {
    let after: string | null = null;
    while (this.started) {
      let page: DeliveryJob[];
      try {
        page = await handlers.unfinished(before, after, RESUME_PAGE);
      } catch (err) {
        if (!this.started) return;
        this.options.onError(err);
        await this.pause(1000);
        continue;
      }
      for (const d of page) this.enqueue({ jobId: null, final: false, ...d }, handlers);
      if (page.length < RESUME_PAGE) return;
      after = page.at(-1)!.deliveryId;
      while (this.started && this.inFlight >= MAX_IN_FLIGHT) await this.pause(1000);
    }
  }

  private enqueue(item: LaneItem, handlers: QueueHandlers): void {
    const key = item.installationId ?? '';
    const lane = this.lanes.get(key) ?? { pending: [], running: null };
    lane.pending.push(item);
    this.lanes.set(key, lane);
    this.inFlight++;
    lane.running ??= this.runLane(key, lane, handlers);
  }

  /**
   * Deliveries: one loop fetches jobs in arrival order and hands each installation's jobs to that
   * installation's lane. A lane runs one round at a time, taking everything that has queued up for
   * it meanwhile (so repeats share one transaction), and one installation's deliveries apply in the
   * order they arrived: an "acknowledged" never overtakes its "triggered". Installations run side by
   * side: a hanging plugin holds up only its own lane, and only until its timeout.
   */
  private async deliveryLoop(handlers: QueueHandlers): Promise<void> {
    while (this.started) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        await this.pause(1000);
        continue;
      }
      let jobs: PgBoss.JobWithMetadata<DeliveryJob>[] = [];
      try {
        jobs = await this.boss.fetch<DeliveryJob>(DELIVERY_QUEUE, {
          batchSize: FETCH_BATCH,
          includeMetadata: true,
        });
      } catch (err) {
        if (!this.started) break;
        this.options.onError(err);
        await this.pause(1000);
        continue;
      }
      for (const job of jobs) {
        this.enqueue(
          {
            jobId: job.id,
            deliveryId: job.data.deliveryId,
            installationId: job.data.installationId,
            final: job.retryCount >= job.retryLimit,
          },
          handlers,
        );
      }
      if (jobs.length < FETCH_BATCH) {
        // Caught up: wait for the next acknowledged delivery (or the poll interval), then a few
        // milliseconds more so a burst arrives as one fetch.
        await this.pause(500);
        if (this.started) await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  private async runLane(key: string, lane: Lane, handlers: QueueHandlers): Promise<void> {
    while (lane.pending.length > 0) {
      const items = lane.pending.splice(0, LANE_ROUND);
      try {
        let errors: (Error | null)[];
        try {
          errors = await handlers.deliveries(
            items.map((it) => ({ deliveryId: it.deliveryId, final: it.final })),
          );
        } catch (err) {
          errors = items.map(() => (err instanceof Error ? err : new Error(String(err))));
        }
        const done = items.flatMap((it, i) => (!errors[i] && it.jobId ? [it.jobId] : []));
        if (done.length > 0) await this.boss.complete(DELIVERY_QUEUE, done);
        for (const [i, err] of errors.entries()) {
          const it = items[i]!;
          if (!err) continue;
          if (it.jobId) await this.boss.fail(DELIVERY_QUEUE, it.jobId, { message: err.message });
          // A resumed delivery that failed gets a job of its own, retried with backoff as any other.
          else
            await this.boss.send(
              DELIVERY_QUEUE,
              { deliveryId: it.deliveryId, installationId: it.installationId },
              { ...this.sendOptions(), startAfter: this.options.retryDelaySeconds },
            );
        }
      } catch (err) {
        // Completing failed: the jobs stay active, expire and run again; processing is idempotent.
        this.options.onError(err);
      } finally {
        this.inFlight -= items.length;
      }
    }
    lane.running = null;
    if (this.lanes.get(key) === lane) this.lanes.delete(key);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /**
   * Fail the jobs that failed (each is retried with backoff); the rest of the batch completes. If a
   * failure cannot be recorded, fail the whole batch rather than lose it: processing is idempotent
   * per delivery, so the jobs that succeeded are skipped when they run again.
   */
  private async failEach(queue: string, jobs: { id: string }[], errors: (Error | null)[]): Promise<void> {
    for (const [i, err] of errors.entries()) {
      if (err) await this.boss.fail(queue, jobs[i]!.id, { message: err.message });
    }
  }

  /** Enqueue inside the caller's transaction: the jobs exist exactly when the delivery rows do. */
  async sendDeliveries(trx: Transaction<Database>, jobs: DeliveryJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const db: PgBoss.Db = {
      executeSql: async (text, values) => {
        const r = await trx.executeQuery(CompiledQuery.raw(text, values));
        return { rows: r.rows as unknown[] };
      },
    };
    const o = this.sendOptions();
    await this.boss.insert(
      jobs.map((data) => ({
        // pg-boss fetches by creation time, then id: ordered ids keep a commit's jobs in arrival order
        id: orderedId(),
        name: DELIVERY_QUEUE,
        data,
        retryLimit: o.retryLimit,
        retryDelay: o.retryDelay,
        retryBackoff: o.retryBackoff,
        expireInSeconds: o.expireInSeconds,
      })),
      { db },
    );
  }

  async replayDelivery(job: DeliveryJob): Promise<void> {
    await this.boss.send(DELIVERY_QUEUE, job, this.sendOptions());
    this.wake();
  }

  async sendHook(job: HookJob): Promise<void> {
    await this.boss.send(HOOK_QUEUE, job, this.sendOptions());
  }

  /** Let the delivery loop fetch now instead of at its next poll. */
  wake(): void {
    this.wakeUp();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.wake();
    await this.loop;
    // Let the lanes finish what they fetched (each plugin call is bounded by its timeout).
    await Promise.race([
      Promise.allSettled([...this.lanes.values()]),
      new Promise((r) => setTimeout(r, 5000)),
    ]);
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
