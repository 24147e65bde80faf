/**
 * Column edits carry a version (a stale edit is refused instead of overwriting someone else's), and
 * a column's position is unique on its board, so a reorder can never leave two columns on one place.
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('board_columns')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Renumber first (0, 1, 2 ... per board, keeping the order) so the constraint holds on old data.
  await sql`
    update board_columns c set position = r.n
    from (select id, (row_number() over (partition by board_id order by position, id) - 1)::int as n
          from board_columns) r
    where r.id = c.id and c.position <> r.n`.execute(db);
  // Deferrable: checked at the end of each statement, so one update may shift or swap positions.
  await sql`
    alter table board_columns add constraint board_columns_position_unique
    unique (board_id, position) deferrable initially immediate`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table board_columns drop constraint board_columns_position_unique`.execute(db);
  await db.schema.alterTable('board_columns').dropColumn('version').execute();
}
