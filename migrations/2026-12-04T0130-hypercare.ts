/**
 * Hyper-care and handover (issue 17): each board's defaults (window, automatic extension, handover
 * point, checklist template), a release's own window, handover point and the services it changes (an incident on one of them is linked to it), the hyper-care of a release
 * from go-live (its row is the lock every hyper-care change and every incident link takes), and its
 * decisions (immutable: rows are only ever inserted). Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_hypercare_settings (
      board_id uuid primary key references boards(id) on delete cascade,
      window_days double precision not null,
      extension_days double precision not null,
      handover_point text not null,
      checklist jsonb not null
    )`.execute(db);
  await sql`
    create table release_hypercare_plans (
      release_id uuid primary key references releases(id) on delete cascade,
      window_days double precision,
      handover_point text,
      services jsonb not null default '[]'
    )`.execute(db);
  await sql`
    create table release_hypercare (
      release_id uuid primary key references releases(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      state text not null,
      started_at timestamptz not null,
      ends_at timestamptz not null,
      exited_at timestamptz,
      extension_days double precision not null,
      owner_stream text not null,
      handover_point text not null,
      handover text not null,
      checklist jsonb not null,
      revision integer not null default 1
    )`.execute(db);
  // The timers' start-up sweep: hyper-care still running, by when it ends.
  await sql`create index release_hypercare_open_idx on release_hypercare (ends_at) where state <> 'exited'`.execute(
    db,
  );
  await sql`
    create table hypercare_decisions (
      id bigserial primary key,
      release_id uuid not null references releases(id) on delete cascade,
      kind text not null,
      by_user_id uuid references users(id) on delete set null,
      by_label text not null,
      reason text not null,
      ends_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index hypercare_decisions_release_idx on hypercare_decisions (release_id, id)`.execute(db);
  // One acceptance per release, whatever else goes wrong: the row lock decides, this makes sure.
  await sql`
    create unique index hypercare_decisions_one_acceptance_uq
      on hypercare_decisions (release_id) where kind = 'accepted'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table hypercare_decisions, release_hypercare, release_hypercare_plans, board_hypercare_settings`.execute(
    db,
  );
}
