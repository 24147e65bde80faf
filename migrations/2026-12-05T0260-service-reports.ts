/**
 * Service reports (issue 20): the quarterly SLA review minutes of a board (one record per board and
 * quarter), and the indexes the service report reads through. The report counts a board's clocks by
 * when they started (incidents opened, time to acknowledge) and by when they were resolved
 * (attainment, time to restore, requests fulfilled): two range reads of exactly the clocks in the
 * report's window instead of every clock of the board; and the backlog open at an instant through
 * the clocks' spans. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table sla_reviews (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      quarter text not null check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
      held_on date not null,
      attendees jsonb not null default '[]',
      minutes text not null default '',
      actions jsonb not null default '[]',
      revision integer not null default 1,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (board_id, quarter)
    )`.execute(db);
  await sql`create index sla_clocks_board_started_idx on sla_clocks (board_id, started_at)`.execute(db);
  await sql`
    create index sla_clocks_board_resolved_idx on sla_clocks (board_id, resolved_at)
    where resolved_at is not null`.execute(db);
  // The backlog at an instant is the clocks whose span (start to resolution, open-ended while open)
  // holds it: a GiST probe finds those, where a b-tree on either end would read every clock before
  // (or after) the instant.
  await sql`
    create index sla_clocks_open_span_idx on sla_clocks using gist (tstzrange(started_at, resolved_at, '[)'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index sla_clocks_open_span_idx`.execute(db);
  await sql`drop index sla_clocks_board_resolved_idx`.execute(db);
  await sql`drop index sla_clocks_board_started_idx`.execute(db);
  await sql`drop table sla_reviews`.execute(db);
}
