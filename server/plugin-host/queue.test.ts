/**
 * The plugin queue on a real PostgreSQL (pg-boss), with recording handlers in place of the
 * processor: deliveries left unfinished before start-up go first, in order, and one that fails when
 * resumed is retried with backoff like any other.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabase } from '../../test/harness.ts';
import { PluginQueue } from './queue.ts';

const queues: PluginQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.stop();
});

describe('plugin queue start-up', () => {
  it('runs the deliveries left unfinished first, in arrival order, and retries one that fails', async () => {
    const queue = new PluginQueue({
      connectionString: await freshDatabase(),
      retryLimit: 2,
      retryDelaySeconds: 1,
      expireInSeconds: 60,
      concurrency: 1,
      poolMax: 2,
      onError: () => {},
    });
    queues.push(queue);
    const runs: string[] = [];
    let failures = 1;
    const unfinished = ['a', 'b', 'c'].map((id) => ({ deliveryId: id, installationId: 'one' }));
    await queue.start({
      deliveries: async (jobs) =>
        jobs.map((j) => {
          runs.push(j.deliveryId);
          return j.deliveryId === 'b' && failures-- > 0 ? new Error('plugin exploded') : null;
        }),
      unfinished: async (_before, after) => (after === null ? unfinished : []),
      hook: async () => {},
      retention: async () => {},
    });
    await eventually(() => runs.filter((r) => r === 'b').length === 2, 15_000);
    expect(runs.slice(0, 3)).toEqual(['a', 'b', 'c']);
    expect(runs).toEqual(['a', 'b', 'c', 'b']);
  }, 30_000);
});
