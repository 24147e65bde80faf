/**
 * One key names one board, whatever its case: two boards keyed DUPKEY and dupkey made their card
 * keys collide. Boards that already share a key keep it on the oldest (created_at, then id); each
 * later one gets the first free KEY2, KEY3 ... (at most 10 characters, as the API allows), and its
 * cards' keys follow. Past board events keep the keys they were recorded with.
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

const MAX_KEY_LENGTH = 10;

export async function up(db: Kysely<any>): Promise<void> {
  // Nobody may create a board between the renumbering and the index.
  await sql`lock table boards in share row exclusive mode`.execute(db);
  const { rows: later } = await sql<{ id: string; key: string }>`
    select id, key from (
      select id, key, created_at,
             row_number() over (partition by lower(key) order by created_at, id) as n
      from boards) b
    where n > 1
    order by created_at, id`.execute(db);
  if (later.length > 0) {
    const { rows: all } = await sql<{ key: string }>`select lower(key) as key from boards`.execute(db);
    const taken = new Set(all.map((r) => r.key));
    for (const board of later) {
      const base = board.key.toUpperCase();
      let key = base;
      for (let n = 2; taken.has(key.toLowerCase()); n++) {
        key = base.slice(0, MAX_KEY_LENGTH - String(n).length) + String(n);
      }
      taken.add(key.toLowerCase());
      await sql`update boards set key = ${key} where id = ${board.id}`.execute(db);
      await sql`update cards set key = ${key} || '-' || number where board_id = ${board.id}`.execute(db);
    }
  }
  await sql`create unique index boards_key_lower_uq on boards (lower(key))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index boards_key_lower_uq`.execute(db);
}
