/**
 * Outgoing notifications end to end against real PostgreSQL and a real HTTP receiver in this
 * process: signatures, one delivery per state change per target, retries with backoff, no retry of
 * a 4xx, delivery after a restart, and bad input named by field.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CreatedNotificationTarget,
  NotificationDelivery,
  NotificationEnvelope,
} from '../protocol/notifications.ts';
import type { Release } from '../protocol/releases.ts';
import { createDb } from '../server/infra/database.ts';
import { parseSecretKey, SecretBox } from '../server/infra/secret-box.ts';
import { verifySignature } from '../server/notify/signature.ts';
import { rekeySecrets } from '../server/ops/rekey.ts';
import { eventually, startServer, TEST_SECRET_KEY, type TestServer } from './harness.ts';

const ENV = { NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_RETRY_DELAY_SECONDS: '1', NOTIFY_TIMEOUT_MS: '3000' };

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A webhook receiver: records every request and answers from `replies` in turn (then 200). */
class Receiver {
  readonly received: Received[] = [];
  replies: number[] = [];
  private server!: Server;
  url = '';
  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          path: req.url ?? '',
          headers: req.headers,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = this.replies.shift() ?? 200;
        res.end(res.statusCode === 200 ? 'ok' : 'not now');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }
  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startServer(ENV);
  receiver = await new Receiver().start();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const targets = (boardId: string) => `/api/boards/${boardId}/notification-targets`;

async function addTarget(
  s: TestServer,
  boardId: string,
  path: string,
  extra: Record<string, unknown> = {},
): Promise<CreatedNotificationTarget> {
  return s.admin.ok(
    s.admin.post<CreatedNotificationTarget>(targets(boardId), {
      name: `receiver ${path}`,
      url: `${receiver.url}${path}`,
      format: 'json',
      events: ['release.created', 'release.state_changed'],
      ...extra,
    }),
  );
}

const deliveries = (s: TestServer, boardId: string, targetId: string) =>
  s.admin.ok(s.admin.get<NotificationDelivery[]>(`${targets(boardId)}/${targetId}/deliveries`));

function plan(s: TestServer, boardId: string, version: string) {
  return s.admin.ok(
    s.admin.post<Release>(`/api/boards/${boardId}/releases`, { version, stream: 'development' }),
  );
}
function report(
  s: TestServer,
  boardId: string,
  r: Release,
  environment: string,
  outcome: 'success' | 'failure',
  runId: string,
) {
  return s.admin.ok(
    s.admin.post(`/api/boards/${boardId}/releases/${r.id}/runs`, {
      environment,
      runId,
      kind: 'deployment',
      outcome,
    }),
  );
}

describe('notifications of release state changes', () => {
  it('sends exactly one signed delivery per state change to each target, none for changes that keep the state', {
    timeout: 30_000,
  }, async () => {
    const boardId = (await server.admin.createBoard('Release notices')).id;
    const a = await addTarget(server, boardId, '/a');
    const b = await addTarget(server, boardId, '/b', { events: ['release.state_changed'] });
    expect(a.secret).toMatch(/^bbn_[0-9a-f]{64}$/);

    const r = await plan(server, boardId, '4.1.0');
    await report(server, boardId, r, 'test', 'success', 't1'); // planned → on the path
    await report(server, boardId, r, 'system-test', 'success', 's1'); // still on the path: no notice
    await report(server, boardId, r, 'pre-production', 'failure', 'p1'); // → stopped
    await report(server, boardId, r, 'pre-production', 'success', 'p2'); // → on the path again
    const card = await server.admin.createCard(boardId, { title: 'late fix' });
    await server.admin.ok(
      server.admin.post(`/api/boards/${boardId}/releases/${r.id}/scope`, { add: [card.id] }),
    );

    await eventually(() => receiver.at('/a').length >= 4 && receiver.at('/b').length >= 3, 15_000);
    // Give a duplicate every chance to arrive: the log must still say one per event, all delivered.
    await eventually(async () =>
      (await deliveries(server, boardId, a.target.id)).every((d) => d.status === 'delivered'),
    );

    // Deliveries to one target are sent side by side, so they may arrive in any order: receivers
    // order them by occurredAt (docs/notifications.md).
    const bodies = (path: string) =>
      receiver
        .at(path)
        .map((x) => JSON.parse(x.raw) as NotificationEnvelope)
        .sort((x, y) => x.occurredAt.localeCompare(y.occurredAt));
    expect(bodies('/a').map((e) => [e.kind, e.release?.previousState ?? null, e.release?.state])).toEqual([
      ['release.created', null, 'planned'],
      ['release.state_changed', 'planned', 'on_path'],
      ['release.state_changed', 'on_path', 'stopped'],
      ['release.state_changed', 'stopped', 'on_path'],
    ]);
    expect(bodies('/b').map((e) => e.release?.state)).toEqual(['on_path', 'stopped', 'on_path']);
    const stopped = bodies('/a')[2]!;
    expect(stopped).toMatchObject({
      board: { id: boardId, name: 'Release notices' },
      severity: 'error',
      action: 'trigger',
      dedupKey: `release:${r.id}`,
      release: {
        version: '4.1.0',
        stream: 'development',
        targetDate: null,
        change: 'stopped',
        userActions: null,
      },
    });

    // Every request is signed with its target's secret over the raw body, and names its delivery.
    for (const req of receiver.at('/a')) {
      expect(verifySignature(a.secret, req.headers['x-blendboard-signature'] as string, req.raw)).toBe(true);
      expect(verifySignature(b.secret, req.headers['x-blendboard-signature'] as string, req.raw)).toBe(false);
      expect(req.headers['x-blendboard-delivery']).toBe((JSON.parse(req.raw) as NotificationEnvelope).id);
      expect(req.headers['x-blendboard-event']).toBe((JSON.parse(req.raw) as NotificationEnvelope).kind);
    }
    const ids = receiver.at('/a').map((x) => x.headers['x-blendboard-delivery']);
    expect(new Set(ids).size).toBe(4);
    const log = await deliveries(server, boardId, a.target.id);
    expect(log).toHaveLength(4);
    expect(log.map((d) => [d.status, d.attempts, d.responseCode])).toEqual(
      Array(4).fill(['delivered', 1, 200]),
    );
  });

  it('racing failure reports stop the release once, and it is announced once', {
    timeout: 30_000,
  }, async () => {
    const boardId = (await server.admin.createBoard('Racing reports')).id;
    const t = await addTarget(server, boardId, '/race', { events: ['release.state_changed'] });
    const r = await plan(server, boardId, '4.2.0');
    await report(server, boardId, r, 'test', 'success', 'ok-1');
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => report(server, boardId, r, 'system-test', 'failure', `boom-${i}`)),
    );
    const log = await eventually(async () => {
      const all = await deliveries(server, boardId, t.target.id);
      return all.length === 2 && all.every((d) => d.status === 'delivered') ? all : null;
    }, 15_000);
    expect(log.map((d) => d.summary)).toEqual([
      'Release 4.2.0 is stopped (was on the path to live)',
      'Release 4.2.0 is on the path to live (was planned)',
    ]);
    expect(receiver.at('/race')).toHaveLength(2);
  });

  it('retries a 503 with backoff and delivers once: three attempts', { timeout: 30_000 }, async () => {
    const boardId = (await server.admin.createBoard('Flaky receiver')).id;
    const t = await addTarget(server, boardId, '/flaky', { events: ['release.created'] });
    receiver.replies.push(503, 503);
    await plan(server, boardId, '5.0.0');
    const done = await eventually(async () => {
      const [d] = await deliveries(server, boardId, t.target.id);
      return d?.status === 'delivered' ? d : null;
    }, 20_000);
    expect(done).toMatchObject({ attempts: 3, responseCode: 200, lastError: null, kind: 'release.created' });
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(3);
    // the same delivery each time (the receiver's idempotency key), the same body
    expect(new Set(got.map((g) => g.headers['x-blendboard-delivery'])).size).toBe(1);
    expect(new Set(got.map((g) => g.raw)).size).toBe(1);
  });

  it('does not retry a 4xx', { timeout: 30_000 }, async () => {
    const boardId = (await server.admin.createBoard('Refusing receiver')).id;
    const t = await addTarget(server, boardId, '/refuse', { events: ['release.created'] });
    receiver.replies.push(410);
    await plan(server, boardId, '6.0.0');
    const failed = await eventually(async () => {
      const [d] = await deliveries(server, boardId, t.target.id);
      return d?.status === 'failed' ? d : null;
    }, 10_000);
    expect(failed).toMatchObject({ attempts: 1, responseCode: 410 });
    expect(failed.lastError).toContain('HTTP 410');
    // Its queue job is finished, not waiting for a retry.
    const { rows } = await sql<{ state: string }>`
      select state from pgboss.job where name = 'notification-delivery' and data->>'deliveryId' = ${failed.id}`.execute(
      server.db,
    );
    expect(rows.map((r) => r.state)).toEqual(['completed']);
    expect(receiver.at('/refuse')).toHaveLength(1);
  });

  it('sends a test notification on request, signed and logged', { timeout: 20_000 }, async () => {
    const boardId = (await server.admin.createBoard('Test me')).id;
    const t = await addTarget(server, boardId, '/test-send', { format: 'slack' });
    const queued = await server.admin.post<NotificationDelivery>(`${targets(boardId)}/${t.target.id}/test`);
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ kind: 'notification.test', eventSeq: null });
    await eventually(() => receiver.at('/test-send').length === 1, 10_000);
    const req = receiver.at('/test-send')[0]!;
    expect(verifySignature(t.secret, req.headers['x-blendboard-signature'] as string, req.raw)).toBe(true);
    const message = JSON.parse(req.raw) as { text: string; blocks: unknown[] };
    expect(message.text).toContain('Test notification');
    expect(Array.isArray(message.blocks)).toBe(true);
    await eventually(async () => (await deliveries(server, boardId, t.target.id))[0]?.status === 'delivered');
  });

  it('sends nothing to a disabled target, and nothing once a target is removed', {
    timeout: 20_000,
  }, async () => {
    const boardId = (await server.admin.createBoard('Quiet board')).id;
    const t = await addTarget(server, boardId, '/quiet', { enabled: false });
    await plan(server, boardId, '7.0.0');
    expect(await deliveries(server, boardId, t.target.id)).toEqual([]);
    const patched = await server.admin.patch(`${targets(boardId)}/${t.target.id}`, { enabled: true });
    expect(patched.body).toMatchObject({ enabled: true });
    await plan(server, boardId, '7.0.1');
    await eventually(() => receiver.at('/quiet').length === 1, 10_000);
    expect((await server.admin.delete(`${targets(boardId)}/${t.target.id}`)).status).toBe(204);
    expect((await server.admin.get(`${targets(boardId)}/${t.target.id}/deliveries`)).status).toBe(404);
  });
});

describe('a restart between the commit and the delivery', () => {
  it('delivers what an instance recorded but never sent, once', { timeout: 40_000 }, async () => {
    // The first instance records and queues but sends nothing (as one that died right after the commit).
    const first = await startServer({ ...ENV, NOTIFY_CONCURRENCY: '0' });
    const boardId = (await first.admin.createBoard('Restarted')).id;
    const t = await addTarget(first, boardId, '/restart');
    await plan(first, boardId, '8.0.0');
    const [pending] = await deliveries(first, boardId, t.target.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    await first.close();
    expect(receiver.at('/restart')).toHaveLength(0);

    const second = await startServer(ENV, first.databaseUrl);
    try {
      const done = await eventually(async () => {
        const [d] = await deliveries(second, boardId, t.target.id);
        return d?.status === 'delivered' ? d : null;
      }, 15_000);
      expect(done).toMatchObject({ id: pending!.id, attempts: 1 });
      expect(receiver.at('/restart')).toHaveLength(1);
      expect(receiver.at('/restart')[0]!.headers['x-blendboard-delivery']).toBe(pending!.id);
    } finally {
      await second.close();
    }
  });
});

describe('a server-key rotation', () => {
  it('re-seals targets’ secrets with the installations’, so signatures still verify after it', {
    timeout: 40_000,
  }, async () => {
    const first = await startServer(ENV);
    const boardId = (await first.admin.createBoard('Rotated')).id;
    const t = await addTarget(first, boardId, '/rotated');
    await first.close();
    const newKey = randomBytes(32).toString('base64');
    const { db } = createDb(first.databaseUrl, 1);
    try {
      await rekeySecrets(
        db,
        new SecretBox(parseSecretKey(TEST_SECRET_KEY)),
        new SecretBox(parseSecretKey(newKey)),
      );
    } finally {
      await db.destroy();
    }
    const after = await startServer({ ...ENV, SECRET_KEY: newKey }, first.databaseUrl);
    try {
      await after.admin.ok(after.admin.post(`${targets(boardId)}/${t.target.id}/test`));
      await eventually(() => receiver.at('/rotated').length === 1, 10_000);
      const req = receiver.at('/rotated')[0]!;
      expect(verifySignature(t.secret, req.headers['x-blendboard-signature'] as string, req.raw)).toBe(true);
    } finally {
      await after.close();
    }
  });
});

describe('bad input names the field', () => {
  let boardId: string;
  beforeAll(async () => {
    boardId = (await server.admin.createBoard('Bad input')).id;
  });
  const good = () => ({ name: 'ops', url: `${receiver.url}/x`, format: 'json', events: ['release.created'] });
  const cases: [string, Record<string, unknown>, string][] = [
    ['a URL of another scheme', { url: 'ftp://example.com/hook' }, 'url'],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, 'url'],
    ['not a URL', { url: 'not a url' }, 'url'],
    ['an unknown format', { format: 'teams' }, 'format'],
    ['an unknown event kind', { events: ['release.exploded'] }, 'events'],
    ['no event kinds', { events: [] }, 'events'],
    ['an empty name', { name: '' }, 'name'],
    ['pagerduty without a routing key', { format: 'pagerduty' }, 'routingKey'],
    ['an unknown field', { colour: 'red' }, 'colour'],
  ];
  for (const [what, change, field] of cases)
    it(`refuses ${what} with 400 naming ${field}`, async () => {
      const res = await server.admin.post<{ message: string; field?: string }>(targets(boardId), {
        ...good(),
        ...change,
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    });

  it('refuses a private address unless NOTIFY_ALLOW_PRIVATE is set', async () => {
    const strict = await startServer({ NOTIFY_ALLOW_PRIVATE: 'false' });
    try {
      const board = (await strict.admin.createBoard('Strict')).id;
      for (const url of [
        'http://127.0.0.1:9/x',
        'http://localhost/x',
        'http://169.254.169.254/latest',
        'http://[::1]/x',
        'http://10.1.2.3/',
      ]) {
        const res = await strict.admin.post<{ field?: string }>(targets(board), { ...good(), url });
        expect(res.status, url).toBe(400);
        expect(JSON.stringify(res.body)).toContain('url');
      }
      const ok = await strict.admin.post(targets(board), {
        ...good(),
        url: 'https://hooks.example.com/services/x',
      });
      expect(ok.status).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('refuses a bad PATCH the same way and changes nothing', async () => {
    const t = await addTarget(server, boardId, '/patch');
    for (const [body, field] of [
      [{ url: 'file:///etc/passwd' }, 'url'],
      [{ format: 'pagerduty' }, 'routingKey'],
      [{ events: ['nope'] }, 'events'],
    ] as const) {
      const res = await server.admin.patch(`${targets(boardId)}/${t.target.id}`, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const all = await server.admin.ok(server.admin.get<{ id: string }[]>(targets(boardId)));
    expect(all.find((x) => x.id === t.target.id)).toEqual(t.target);
  });
});
