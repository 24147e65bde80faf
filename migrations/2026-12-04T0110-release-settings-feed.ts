/**
 * Releases, continued (issue 16): each board's path-to-live settings gain the automated checks per
 * environment and a default firebreak; a release keeps the checks it was planned with, says what users
 * must do and when they are affected, and may be cancelled with a reason; each reported run may name
 * the check it ran, in the order the runs were recorded; a board's calendar feed has a secret token,
 * stored hashed. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table board_release_settings
      add column checks jsonb not null default '{}',
      add column firebreak jsonb,
      add column updated_at timestamptz not null default now()`.execute(db);
  await sql`
    alter table releases
      add column checks jsonb not null default '{}',
      add column user_actions text not null default '',
      add column change_window text not null default '',
      add column cancel_reason text,
      add column updated_at timestamptz not null default now()`.execute(db);
  // The latest result of each check decides whether it passed: identity values follow the order the
  // runs were written under the release's row lock (reported_at is the transaction's start).
  await sql`
    alter table release_runs
      add column check_name text,
      add column position bigint generated always as identity`.execute(db);
  await sql`
    create table release_feed_tokens (
      board_id uuid primary key references boards(id) on delete cascade,
      token_hash text not null unique,
      prefix text not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table release_feed_tokens`.execute(db);
  await sql`alter table release_runs drop column position, drop column check_name`.execute(db);
  await sql`
    alter table releases drop column checks, drop column user_actions, drop column change_window,
      drop column cancel_reason, drop column updated_at`.execute(db);
  await sql`
    alter table board_release_settings drop column checks, drop column firebreak, drop column updated_at`.execute(
    db,
  );
}
