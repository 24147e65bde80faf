/** Marked hot SQL runs as named prepared statements; the rest stays unnamed. Real PostgreSQL. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, PREPARED } from '../server/infra/database.ts';
import { freshDatabase } from './harness.ts';

let db: Db;
let end: () => Promise<void>;
beforeAll(async () => {
  const created = createDb(await freshDatabase(), 1);
  db = created.db;
  end = () => created.pool.end();
});
afterAll(() => end());

const preparedOnThisConnection = async (trx: Db) =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(trx)).rows.map(
    (r) => r.statement,
  );

describe('prepared statements', () => {
  it('parses marked SQL once per connection under one name and gives the same answers; unmarked SQL is not kept', async () => {
    await db.transaction().execute(async (trx) => {
      const marked = sql<{ n: number }>`${sql.raw(PREPARED)} select ${21}::int * 2 as n`;
      expect((await marked.execute(trx)).rows).toEqual([{ n: 42 }]);
      expect(
        (await sql<{ n: number }>`${sql.raw(PREPARED)} select ${5}::int * 2 as n`.execute(trx)).rows,
      ).toEqual([{ n: 10 }]);
      await sql`select ${1}::int as plain`.execute(trx);
      const kept = await preparedOnThisConnection(trx);
      expect(kept.filter((s) => s.includes('* 2 as n'))).toHaveLength(1);
      expect(kept.some((s) => s.includes('as plain'))).toBe(false);
    });
  });
});
