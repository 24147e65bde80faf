/**
 * A requester's rating of a fulfilled service request (issue 20): one per request, 1–5 with an
 * optional comment. The request portal writes it; the service reports read satisfaction from it.
 * Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table request_ratings (
      card_id uuid primary key references cards(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      rating smallint not null check (rating between 1 and 5),
      comment text not null default '',
      rated_by uuid references users(id) on delete set null,
      rated_at timestamptz not null default now()
    )`.execute(db);
  // Service reports count ratings per board and month.
  await sql`create index request_ratings_board_at_idx on request_ratings (board_id, rated_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table request_ratings`.execute(db);
}
