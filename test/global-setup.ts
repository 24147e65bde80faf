/**
 * Vitest global set-up: find a real PostgreSQL (TEST_DATABASE_URL, or an embedded one started here),
 * build a migrated template database once, and hand its name to the test files, which each clone
 * their own fresh database from it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDb, migrateToLatest, startEmbeddedPostgres } from '../server/infra/database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDatabase: string;
    runId: string;
  }
}

export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dataDir: string | null = null;
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'blendboard-test-pg-'));
    chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the postgres OS user
    const embedded = await startEmbeddedPostgres(dataDir, 54000 + (process.pid % 1000));
    serverUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const template = `bb_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const { db } = createDb(withDatabase(serverUrl, template), 2);
  await migrateToLatest(db);
  await db.destroy();
  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('runId', String(process.pid));

  return async () => {
    // Drop what this run created: the template and every per-file clone of it.
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where datname like $1 or datname = $2',
      [`bb_t_${process.pid}_%`, template],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.end();
    await stopEmbedded?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
