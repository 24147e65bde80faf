/**
 * Outgoing notifications (issue 16, reused by 17 and 20): each board's notification targets and
 * the outbox of deliveries to them. A delivery row is written in the transaction of the board event
 * it reports, unique per (target, event, kind), so a notification is neither lost nor recorded
 * twice. Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table notification_targets (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      name text not null,
      url text not null,
      format text not null,
      events text[] not null,
      enabled boolean not null default true,
      secret text not null,
      routing_key text,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index notification_targets_board_idx on notification_targets (board_id)`.execute(db);
  await sql`
    create table notification_deliveries (
      id uuid primary key default gen_random_uuid(),
      target_id uuid not null references notification_targets(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      event_seq bigint,
      kind text not null,
      notice jsonb not null,
      status text not null default 'pending',
      attempts integer not null default 0,
      response_code integer,
      last_error text,
      claimed_until timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      delivered_at timestamptz
    )`.execute(db);
  await sql`
    create unique index notification_deliveries_event_uq
    on notification_deliveries (target_id, event_seq, kind) where event_seq is not null`.execute(db);
  await sql`
    create index notification_deliveries_log_idx on notification_deliveries (target_id, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table notification_deliveries`.execute(db);
  await sql`drop table notification_targets`.execute(db);
}
