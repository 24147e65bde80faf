/** SQL for boards (so far, creating one under a key no other board has, whatever its case). */
import { sql } from 'kysely';
import type { Db } from '../infra/database.ts';

/**
 * Inserts the board, or returns undefined when its key is taken (boards_key_lower_uq). A concurrent
 * insert of the same key waits for the other transaction, so exactly one of them gets the key.
 */
export function insertBoard(db: Db, v: { name: string; key: string; createdBy: string }) {
  return db
    .insertInto('boards')
    .values({ name: v.name, key: v.key, created_by: v.createdBy })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Keys (lower case) of the boards whose key starts with `prefix`, in any case. */
export async function keysStartingWith(db: Db, prefix: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('boards')
    .select(sql<string>`lower(key)`.as('key'))
    .where(sql<string>`lower(key)`, 'like', `${prefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`)
    .execute();
  return new Set(rows.map((r) => r.key));
}
