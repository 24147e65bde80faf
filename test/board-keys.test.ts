/** Board keys are unique whatever their case, so card keys never collide (issue 14, item 5). */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Board } from '../protocol/model.ts';
import { createDb, createMigrator } from '../server/infra/database.ts';
import { withDatabase } from './global-setup.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const boardsKeyed = async (key: string) =>
  server.db
    .selectFrom('boards')
    .select('key')
    .where(sql<string>`lower(key)`, '=', key.toLowerCase())
    .execute();

describe('creating a board under a key', () => {
  it('lets exactly one of two simultaneous creations have the key', async () => {
    const pairs: [string, string][] = [
      ['dupkey', 'DUPKEY'],
      ['RACEA', 'racea'],
      ['RaceB', 'RACEB'],
    ];
    for (const [a, b] of pairs) {
      const results = await Promise.all([
        server.admin.post('/api/boards', { name: `Race ${a}`, key: a }),
        server.admin.post('/api/boards', { name: `Race ${b}`, key: b }),
      ]);
      expect(results.map((r) => r.status).sort(), a).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)?.body, a).toMatchObject({
        error: 'CONFLICT',
        field: 'key',
      });
      expect(await boardsKeyed(a), a).toHaveLength(1);
    }
  });

  it('refuses a key another board has, in any case, with a 409 naming key, and creates nothing', async () => {
    const first = await server.admin.post<Board>('/api/boards', { name: 'Duplicates', key: 'SAMEKEY' });
    expect(first.status).toBe(201);
    for (const key of ['SAMEKEY', 'samekey', 'SameKey']) {
      const again = await server.admin.post('/api/boards', { name: `Duplicates ${key}`, key });
      expect(again.status, key).toBe(409);
      expect(again.body, key).toMatchObject({
        error: 'CONFLICT',
        field: 'key',
        message: 'key: another board already has the key SAMEKEY',
      });
    }
    expect(await boardsKeyed('samekey')).toEqual([{ key: 'SAMEKEY' }]);
  });

  it('stores a key typed in lower case in capitals, and card keys use it', async () => {
    const board = await server.admin.ok(
      server.admin.post<Board>('/api/boards', { name: 'Lower', key: 'lowkey' }),
    );
    expect(board.key).toBe('LOWKEY');
    const bad = await server.admin.post('/api/boards', { name: 'Bad', key: '9LIVES' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'key' });
    expect((await server.admin.createCard(board.id, { title: 'First' })).key).toBe('LOWKEY-1');
  });

  it('gives boards of one name distinct keys when none is chosen, even when created at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 4 }, () =>
        server.admin.ok(server.admin.post<Board>('/api/boards', { name: 'Helpdesk' })),
      ),
    );
    expect(created.map((b) => b.key).sort()).toEqual(['HELPDE', 'HELPDE2', 'HELPDE3', 'HELPDE4']);
  });
});

describe('the migration to unique keys', () => {
  it('keeps the key on the oldest board and gives later duplicates the next free key, cards included', async () => {
    const name = `bb_t_${inject('runId')}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: inject('pgServerUrl') });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const { db } = createDb(withDatabase(inject('pgServerUrl'), name), 2);
    try {
      const migrator = createMigrator(db);
      const names = (await migrator.getMigrations()).map((m) => m.name);
      const mine = names.indexOf('2026-12-03T0401-board-key-unique');
      expect(mine).toBeGreaterThan(0);
      expect((await migrator.migrateTo(names[mine - 1]!)).error).toBeUndefined();

      // Boards as an earlier version could leave them: DUP three times over, one of them "dup2"-free.
      const old = async (key: string, createdAt: string, cards = 0) => {
        const b = await db
          .insertInto('boards')
          .values({ name: key, key, created_at: new Date(createdAt) })
          .returning('id')
          .executeTakeFirstOrThrow();
        for (let n = 1; n <= cards; n++) {
          await db
            .insertInto('cards')
            .values({
              board_id: b.id,
              number: n,
              key: `${key}-${n}`,
              title: `c${n}`,
              type: 'story',
              rank: `a${n}`,
            })
            .execute();
        }
        return b.id;
      };
      const first = await old('DUP', '2026-01-01', 1);
      const second = await old('dup', '2026-02-01', 2);
      await old('DUP2', '2026-01-15');
      const third = await old('Dup', '2026-03-01');
      const long = await old('ABCDEFGHIJ', '2026-01-01');
      const longer = await old('abcdefghij', '2026-02-01');

      expect((await createMigrator(db).migrateToLatest()).error).toBeUndefined();
      const keyOf = async (id: string) =>
        (await db.selectFrom('boards').select('key').where('id', '=', id).executeTakeFirstOrThrow()).key;
      expect([await keyOf(first), await keyOf(second), await keyOf(third)]).toEqual(['DUP', 'DUP3', 'DUP4']);
      expect([await keyOf(long), await keyOf(longer)]).toEqual(['ABCDEFGHIJ', 'ABCDEFGHI2']);
      const cardKeys = await db.selectFrom('cards').select('key').orderBy('key').execute();
      expect(cardKeys.map((c) => c.key)).toEqual(['DUP-1', 'DUP3-1', 'DUP3-2']);
      await expect(db.insertInto('boards').values({ name: 'x', key: 'dup4' }).execute()).rejects.toThrow(
        /boards_key_lower_uq/,
      );
    } finally {
      await db.destroy();
    }
  });
});
