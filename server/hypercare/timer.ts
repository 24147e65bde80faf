/**
 * The durable timer of hyper-care windows, on pg-boss (the job queue already in place, same
 * database): one job per window end with `startAfter` = the end. The handler applies the transition
 * under the row's lock only if it is still due, so duplicate jobs, re-deliveries and jobs of an end
 * that was extended meanwhile do nothing. Jobs are scheduled after the commit that sets an end (the
 * `hypercare.updated` event); at start-up every running hyper-care is scheduled again, so an end set
 * just before a crash, or passed while the server was down, still fires (at once when overdue).
 */
import PgBoss from 'pg-boss';

export const WINDOW_END_QUEUE = 'hypercare-window-end';

export interface WindowEndJob {
  releaseId: string;
}

export interface TimerHandlers {
  windowEnd(releaseId: string): Promise<unknown>;
  running(): Promise<{ releaseId: string; endsAt: Date }[]>;
}

export class HypercareTimer {
  private readonly boss: PgBoss;
  private started = false;
  private catchUpRetry: NodeJS.Timeout | null = null;

  constructor(
    connectionString: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.boss = new PgBoss({ connectionString, max: 2, application_name: 'blendboard-hypercare' });
    this.boss.on('error', (err) => {
      if (this.started) onError(err);
    });
  }

  async start(handlers: TimerHandlers): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.boss.createQueue(WINDOW_END_QUEUE);
    await this.boss.work<WindowEndJob>(
      WINDOW_END_QUEUE,
      { batchSize: 10, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        // A failure fails the whole batch; each job is retried, and a transition already made is not made again.
        for (const job of jobs) await handlers.windowEnd(job.data.releaseId);
      },
    );
    await this.catchUp(handlers);
  }

  /**
   * Schedules every running hyper-care again. An instance may start before the migrations that
   * create hyper-care's tables have run (readiness says so meanwhile): then it tries again shortly.
   */
  private async catchUp(handlers: TimerHandlers): Promise<void> {
    try {
      for (const r of await handlers.running()) await this.schedule(r.releaseId, r.endsAt);
    } catch (err) {
      if (!this.started) return;
      this.onError(err);
      this.catchUpRetry = setTimeout(() => void this.catchUp(handlers), 5000);
      this.catchUpRetry.unref();
    }
  }

  /** A job that fires at `endsAt` (at once when it has passed). */
  async schedule(releaseId: string, endsAt: Date): Promise<void> {
    if (!this.started) return;
    await this.boss.send(WINDOW_END_QUEUE, { releaseId } satisfies WindowEndJob, {
      startAfter: endsAt,
      retryLimit: 20,
      retryDelay: 5,
      retryBackoff: true,
    });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    if (this.catchUpRetry) clearTimeout(this.catchUpRetry);
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}
