/**
 * The inbound webhook limit (WEBHOOK_RATE_LIMIT), through the real HTTP endpoint on a real
 * database: a burst over the limit is refused with 429 and Retry-After and stores nothing, the
 * count is per installation (both of its URLs share it), and another installation goes on working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServer, type TestServer } from '../../test/harness.ts';
import { deliveries, fixture, install, pluginCards, sign } from './test-tools.ts';

const LIMIT = 5;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ WEBHOOK_RATE_LIMIT: String(LIMIT) });
});
afterAll(async () => {
  await server?.close();
});

/** A failed GitHub Actions run on its own branch, so every accepted delivery raises its own ticket. */
function failedRun(n: number): string {
  const payload = fixture<{ workflow_run: Record<string, unknown> }>(
    'github-actions',
    'workflow_run.completed.failure',
  );
  Object.assign(payload.workflow_run, {
    id: 70_000_000 + n,
    run_number: 700 + n,
    head_branch: `branch-${n}`,
  });
  return JSON.stringify(payload);
}

/** Post as GitHub would, keeping the reply's headers. */
async function deliver(inst: { inboundUrl: string; secret: string }, n: number, path = inst.inboundUrl) {
  const body = failedRun(n);
  const res = await fetch(new URL(new URL(path).pathname, server.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sign.github(inst.secret, body) },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

describe('the inbound webhook rate limit', () => {
  it('refuses a burst over the limit with 429 and Retry-After, and stores nothing of the refused requests', async () => {
    const board = await server.admin.createBoard('Noisy CI');
    const noisy = await install(server.admin, board.id, 'github-actions');

    const replies = await Promise.all(Array.from({ length: LIMIT + 3 }, (_, i) => deliver(noisy, i)));

    expect(replies.filter((r) => r.status === 202)).toHaveLength(LIMIT);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.body).toMatchObject({ error: 'RATE_LIMITED' });
      expect(r.body.message).toContain(noisy.id);
      expect(r.body.message).toContain(`${LIMIT} webhook requests per minute`);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(Number(r.retryAfter)).toBeLessThanOrEqual(60);
    }

    // The other URL of the same installation, and its id in capitals, count against the same limit.
    expect((await deliver(noisy, 100, `${noisy.inboundUrl}/builds`)).status).toBe(429);
    expect(
      (await deliver(noisy, 101, noisy.inboundUrl.replace(noisy.id, noisy.id.toUpperCase()))).status,
    ).toBe(429);

    // Once the accepted ones are processed, the log and the board hold exactly those.
    const log = await eventually(async () => {
      const page = await deliveries(server.admin, board.id, noisy.id, '?limit=200');
      return page.items.filter((d) => d.status === 'processed').length === LIMIT ? page : null;
    }, 20_000);
    expect(log.items).toHaveLength(LIMIT);
    expect(await pluginCards(server.admin, board.id, 'github-actions')).toHaveLength(LIMIT);
  });

  it('does not throttle another installation while one is over its limit', async () => {
    const noisy = await install(
      server.admin,
      (await server.admin.createBoard('Flaky pipeline')).id,
      'github-actions',
    );
    const board = await server.admin.createBoard('Steady pipeline');
    const quiet = await install(server.admin, board.id, 'github-actions');

    for (let i = 0; i < LIMIT; i++) expect((await deliver(noisy, 200 + i)).status).toBe(202);
    expect((await deliver(noisy, 300)).status).toBe(429);

    const reply = await deliver(quiet, 400);
    expect(reply.status).toBe(202);
    expect(reply.retryAfter).toBeNull();
    await eventually(async () => {
      const page = await deliveries(server.admin, board.id, quiet.id);
      return page.items.length === 1 && page.items[0]!.status === 'processed';
    }, 20_000);
  });
});
