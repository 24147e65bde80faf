/** What operators rely on: health, readiness, metrics, API docs, JSON errors, start-up and shutdown. */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../bench/lib.ts';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createDb } from '../server/infra/database.ts';
import { SecretBox } from '../server/infra/secret-box.ts';
import { fixtureText, install, postHook, sign } from '../server/plugin-host/test-tools.ts';
import { withDatabase } from './global-setup.ts';
import { ApiClient, freshDatabase, startServer, type TestServer } from './harness.ts';
import { spawnServer, untilReady } from './server-process.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('operations endpoints', () => {
  it('/healthz says the process is alive and /readyz that the database is ready', async () => {
    const anon = new ApiClient(server.baseUrl);
    expect(await anon.get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await anon.get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('/readyz answers 503 while migrations are pending', async () => {
    const name = `bb_t_${inject('runId')}_empty${Date.now()}`;
    const admin = new pg.Client({ connectionString: inject('pgServerUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const { db, pool } = createDb(withDatabase(inject('pgServerUrl'), name), 2);
    const app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', REALTIME_CLUSTER: 'false' }),
      db,
      pool,
      secrets: new SecretBox(randomBytes(32)),
    });
    try {
      const res = await app.http.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', reason: 'migrations pending' });
    } finally {
      await app.http.close();
      await db.destroy();
    }
  });

  it('/metrics exposes request counts and latency, sockets and the database pool in Prometheus format', async () => {
    await server.admin.get('/api/boards');
    const res = await fetch(`${server.baseUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /blendboard_http_requests_total\{method="GET",route="\/api\/boards",status="200"\} \d+/,
    );
    expect(text).toContain('blendboard_http_request_duration_seconds_bucket');
    expect(text).toMatch(/blendboard_realtime_sockets \d+/);
    expect(text).toMatch(/blendboard_db_pool_connections\{state="total"\} \d+/);
  });

  it('serves the OpenAPI document and its UI', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/api/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/boards', '/api/boards/{boardId}/cards/{cardId}/move']),
    );
    const ui = await fetch(`${server.baseUrl}/api/docs`, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('answers unknown routes with a JSON 404 and tags every response with a request id', async () => {
    const res = await fetch(`${server.baseUrl}/api/no-such-thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'NOT_FOUND' });
    expect(res.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('sets security headers', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

/** The server as `npm start` runs it, logging at info (start-up messages are checked). */
const runMain = (env: Record<string, string>) => spawnServer({ LOG_LEVEL: 'info', ...env });

describe('start-up and shutdown', () => {
  it('refuses to start on a wrong setting, naming the variable', async () => {
    const run = runMain({ PORT: 'eighty' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/PORT="eighty"/);
  });

  it('refuses a common ADMIN_PASSWORD, naming the variable, without printing it', async () => {
    const run = runMain({ ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'passwordpassword' });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/ADMIN_PASSWORD: too common — /);
    expect(run.output()).not.toContain('passwordpassword');
  });

  it('refuses a SECRET_KEY that is not 32 bytes, without printing it', async () => {
    const short = randomBytes(16).toString('base64');
    const run = runMain({ SECRET_KEY: short });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/SECRET_KEY: expected 32 bytes, got 16/);
    expect(run.output()).not.toContain(short);
  });

  it('starts on DATABASE_URL, migrates, creates the admin, logs JSON with request ids, and stops cleanly on SIGTERM', async () => {
    const port = String(await freePort());
    // With DATABASE_URL the folder does not exist yet; only the key file goes there.
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'blendboard-key-')), 'data');
    const run = runMain({
      DATABASE_URL: await freshDatabase(),
      DATA_DIR: dataDir,
      PORT: port,
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'ops walrus tangerine kettle',
    });
    try {
      await untilReady(run, `http://127.0.0.1:${port}`, 30_000);
      await ApiClient.login(`http://127.0.0.1:${port}`, 'ops@example.com', 'ops walrus tangerine kettle');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const lines = run
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; reqId?: string });
      expect(lines.some((l) => l.msg === 'stopped cleanly')).toBe(true);
      expect(lines.some((l) => typeof l.reqId === 'string' && l.reqId.length === 36)).toBe(true);
      expect(lines.some((l) => l.msg?.startsWith('created the secret key'))).toBe(true);
      expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      run.child.kill('SIGKILL');
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses to start the embedded PostgreSQL where the postgres OS user cannot reach, saying how to fix it', async () => {
    const privateDir = mkdtempSync(path.join(tmpdir(), 'blendboard-private-')); // mode 700
    try {
      const run = runMain({ DATABASE_URL: '', DATA_DIR: path.join(privateDir, 'data'), PORT: '0' });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`cannot enter ${privateDir}`);
      expect(run.output()).toMatch(/set DATABASE_URL/);
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  });

  it('with no DATABASE_URL runs its own PostgreSQL in DATA_DIR and keeps the data, and the key that opens its secrets, across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'blendboard-embedded-'));
    chmodSync(dataDir, 0o755);
    const port = String(await freePort());
    const env = {
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freePort()),
      PORT: port,
    };
    const base = `http://127.0.0.1:${port}`;
    try {
      const first = runMain({
        ...env,
        ADMIN_EMAIL: 'first@example.com',
        ADMIN_PASSWORD: 'first pelican marble orchard',
      });
      await untilReady(first, base, 30_000);
      const admin = await ApiClient.login(base, 'first@example.com', 'first pelican marble orchard');
      const board = await admin.createBoard('Survives restarts');
      const hook = await install(admin, board.id, 'generic-ci');
      const keyFile = path.join(dataDir, 'secret.key');
      const key = readFileSync(keyFile, 'utf8');
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = runMain(env);
      try {
        await untilReady(second, base, 30_000);
        const again = await ApiClient.login(base, 'first@example.com', 'first pelican marble orchard');
        const boards = await again.ok(again.get<{ name: string }[]>('/api/boards'));
        expect(boards.map((b) => b.name)).toEqual(['Survives restarts']);
        expect(readFileSync(keyFile, 'utf8')).toBe(key);
        const body = fixtureText('generic-ci', 'failed');
        expect((await postHook(base, hook.inboundUrl, body, sign.bearer(hook.secret))).status).toBe(202);
      } finally {
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
