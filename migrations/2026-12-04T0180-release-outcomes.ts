/**
 * Release outcomes (issue 17): each board's cost model, and the indexes the outcomes report reads
 * through: a board's live releases newest first, and a board's incidents by creation time carrying
 * what the report needs (labels, priority, resolution), so counting the incidents in each release's
 * window is a range read of this index, not of the cards table. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_release_cost_models (
      board_id uuid primary key references boards(id) on delete cascade,
      model text not null,
      day_rate numeric not null,
      team_size numeric not null,
      point_cost numeric not null,
      currency text not null,
      start_from text not null
    )`.execute(db);
  await sql`create index releases_board_live_idx on releases (board_id, live_at desc) where state = 'live'`.execute(
    db,
  );
  await sql`
    create index cards_board_incidents_idx on cards (board_id, created_at)
    include (id, labels, priority, done_at) where type = 'incident'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index cards_board_incidents_idx`.execute(db);
  await sql`drop index releases_board_live_idx`.execute(db);
  await sql`drop table board_release_cost_models`.execute(db);
}
