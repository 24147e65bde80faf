/**
 * Release outcomes (issue 17): each board's cost model, and the indexes the outcomes report reads
 * through: a board's live releases newest first, and a board's incidents by service (the card's
 * `service:<name>` label, lower-cased, by `card_service`) and creation time, so counting the incidents
 * on a release's services in its window is a range read of exactly those incidents. Frozen once landed.
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
  // Immutable, so an index can hold it: the first `service:` label, lower-cased, without the prefix.
  await sql`
    create function card_service(labels text[]) returns text language sql immutable parallel safe as $$
      select lower(substr(l, 9)) from unnest(labels) l where lower(l) like 'service:%' limit 1
    $$`.execute(db);
  await sql`
    create index cards_board_service_incidents_idx on cards (board_id, card_service(labels), created_at)
    include (id, labels) where type = 'incident' and card_service(labels) is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index cards_board_service_incidents_idx`.execute(db);
  await sql`drop function card_service(text[])`.execute(db);
  await sql`drop index releases_board_live_idx`.execute(db);
  await sql`drop table board_release_cost_models`.execute(db);
}
