/**
 * Playwright's web server: a fresh, empty database for this run, then the real server
 * (server/main.ts, serving the built app from dist/) on E2E_PORT with a known administrator.
 *
 * With TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) it creates a database
 * `bb_e2e_<timestamp>` on that server; otherwise the server's embedded PostgreSQL runs in a fresh
 * temporary directory. Either is removed again when Playwright stops the server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ADMIN, E2E_PORT, SERVER_INFO_FILE } from './env.ts';

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(E2E_PORT),
  HOST: '127.0.0.1',
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  // Specs sign in many times a minute from one address; the production default would refuse them.
  LOGIN_RATE_LIMIT: '1000',
  // Specs start their notification receivers on 127.0.0.1, which production refuses (request forgery).
  NOTIFY_ALLOW_PRIVATE: 'true',
  // A separate build can be served while another run rebuilds dist/ in the same checkout.
  WEB_DIST: process.env.E2E_WEB_DIST ?? 'dist',
};
delete env.DATABASE_URL;

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let databaseUrl: string;
let dropDatabase: () => Promise<void>;
const serverUrl = process.env.TEST_DATABASE_URL;
if (serverUrl) {
  const name = `bb_e2e_${Date.now()}`;
  await withAdmin(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  env.DATABASE_URL = databaseUrl;
  // The server key would otherwise go to ./data/secret.key in the checkout; this database is thrown away.
  env.SECRET_KEY ??= randomBytes(32).toString('base64');
  dropDatabase = async () => {
    await withAdmin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  };
  console.log(`[e2e] database ${name} on ${url.host}`);
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bb-e2e-'));
  chmodSync(dir, 0o755); // the embedded PostgreSQL runs as the 'postgres' OS user when started as root
  env.DATA_DIR = dir;
  env.EMBEDDED_PG_PORT = process.env.E2E_EMBEDDED_PG_PORT ?? '54339';
  databaseUrl = `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/blendboard`;
  dropDatabase = async () => rmSync(dir, { recursive: true, force: true });
  console.log(`[e2e] embedded PostgreSQL in ${dir}`);
}

// Specs that arrange thousands of cards write them straight into this database (see seed.ts).
writeFileSync(SERVER_INFO_FILE, JSON.stringify({ databaseUrl }));

const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code, signal) => {
  rmSync(SERVER_INFO_FILE, { force: true });
  dropDatabase()
    .catch((err) => console.error(`[e2e] cleanup failed: ${err instanceof Error ? err.message : err}`))
    .finally(() => process.exit(code ?? (signal ? 1 : 0)));
});
