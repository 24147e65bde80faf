/**
 * The server's pool keeps its connections (createDb's keepOpen, openConnections): a busy moment after
 * a quiet one must not wait for new PostgreSQL backends to start. Real PostgreSQL.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, openConnections } from '../server/infra/database.ts';
import { freshDatabase } from './harness.ts';

const pools: pg.Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

/** The backend each of `n` concurrent queries ran on: with n idle connections, each takes one. */
async function backends(pool: pg.Pool, n: number): Promise<number[]> {
  const rows = await Promise.all(
    Array.from({ length: n }, () =>
      pool
        .query<{ pid: number }>('select pg_backend_pid() as pid, pg_sleep(0.05)')
        .then((r) => r.rows[0]!.pid),
    ),
  );
  return rows.sort((a, b) => a - b);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the connection pool', () => {
  it('opens every connection at start-up and keeps them through a quiet spell longer than the idle timeout', async () => {
    const { pool } = createDb(await freshDatabase(), 4, { keepOpen: true, idleTimeoutMillis: 50 });
    pools.push(pool);
    await openConnections(pool);
    expect(pool.totalCount).toBe(4);
    const first = await backends(pool, 4);
    expect(new Set(first).size).toBe(4);
    await pause(300);
    expect(pool.totalCount).toBe(4);
    expect(await backends(pool, 4)).toEqual(first);
  });

  it('without keepOpen (a command-line tool, the tests), idle connections close after the timeout', async () => {
    const { pool } = createDb(await freshDatabase(), 4, { idleTimeoutMillis: 50 });
    pools.push(pool);
    const first = await backends(pool, 4);
    expect(pool.totalCount).toBe(4);
    await pause(300);
    expect(pool.totalCount).toBe(0);
    expect(await backends(pool, 4)).not.toEqual(first);
  });

  it('stops start-up with a message naming max_connections when PostgreSQL allows fewer connections than the pool keeps', async () => {
    const url = new URL(await freshDatabase());
    const role = `pool_limit_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: url.href });
    await admin.connect();
    try {
      await admin.query(`create role ${role} login connection limit 2`);
      url.username = role;
      const { pool } = createDb(url.href, 4, { keepOpen: true });
      pools.push(pool);
      await expect(openConnections(pool)).rejects.toThrow(
        /open 2 of the 4 connections .*too many connections for role.*max_connections/,
      );
      // What it could open it handed back, for a clean shutdown.
      expect(pool.idleCount).toBe(2);
    } finally {
      await Promise.all(pools.splice(0).map((p) => p.end()));
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    }
  });
});
