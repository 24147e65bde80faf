/**
 * SLA clocks (issue 20): each board's SLA document (priority matrix, targets, calendars) and one row of
 * clocks (response and resolution) per incident or service request. `next_due_at` is the next warning
 * or breach to announce; the scheduler reads it through a partial index, so its cost follows the clocks
 * due soon, not the clocks open. Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_sla (
      board_id uuid primary key references boards(id) on delete cascade,
      document jsonb not null,
      revision integer not null default 1
    )`.execute(db);
  // No foreign keys to cards or boards: checking one takes a KEY SHARE lock on the card, and the
  // clock is written beside card changes that lock cards FOR UPDATE (a pull's SKIP LOCKED would pass
  // the card over). A clock whose card is gone is deleted when it is next reconciled.
  await sql`
    create table sla_clocks (
      card_id uuid primary key,
      board_id uuid not null,
      kind text not null check (kind in ('incident', 'request')),
      impact smallint,
      urgency smallint,
      started_at timestamptz not null,
      tiers jsonb not null,
      pauses jsonb not null default '[]',
      waiting text check (waiting in ('customer', 'third_party')),
      response_met_at timestamptz,
      resolved_at timestamptz,
      fired text[] not null default '{}',
      next_due_at timestamptz,
      next_stage text,
      revision integer not null default 1
    )`.execute(db);
  await sql`create index sla_clocks_due_idx on sla_clocks (next_due_at) where next_due_at is not null`.execute(
    db,
  );
  await sql`create index sla_clocks_board_idx on sla_clocks (board_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table sla_clocks, board_sla`.execute(db);
}
