/**
 * Releases on the path to live (issue 16): each board's path and go-live policy, its releases, the
 * cards in a release's scope, every deployment or check run reported, and the go/no-go verdicts
 * (immutable: rows are only ever inserted). Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_release_settings (
      board_id uuid primary key references boards(id) on delete cascade,
      environments jsonb not null,
      approvers jsonb not null,
      readiness jsonb not null
    )`.execute(db);
  await sql`
    create table releases (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      version text not null,
      target_date date,
      stream text not null,
      notes text not null default '',
      state text not null default 'planned',
      environments jsonb not null,
      reached integer not null default -1,
      stop jsonb,
      firebreak jsonb,
      shadow_url text,
      readiness jsonb not null,
      approvers jsonb not null,
      live_at timestamptz,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      revision integer not null default 1
    )`.execute(db);
  await sql`create unique index releases_board_version_uq on releases (board_id, lower(version))`.execute(db);
  await sql`
    create table release_cards (
      release_id uuid not null references releases(id) on delete cascade,
      card_id uuid not null references cards(id) on delete cascade,
      added_at timestamptz not null default now(),
      primary key (release_id, card_id)
    )`.execute(db);
  // A card travels in one release at a time.
  await sql`create unique index release_cards_card_uq on release_cards (card_id)`.execute(db);
  await sql`
    create table release_runs (
      id uuid primary key default gen_random_uuid(),
      release_id uuid not null references releases(id) on delete cascade,
      environment text not null,
      run_id text not null,
      kind text not null,
      outcome text not null,
      url text,
      reported_by uuid references users(id) on delete set null,
      reported_at timestamptz not null default now()
    )`.execute(db);
  // The same report delivered twice (a CI retry) is recorded once.
  await sql`
    create unique index release_runs_once_uq
      on release_runs (release_id, environment, run_id, kind, outcome)`.execute(db);
  await sql`
    create table release_verdicts (
      id uuid primary key default gen_random_uuid(),
      release_id uuid not null references releases(id) on delete cascade,
      user_id uuid not null references users(id),
      role text not null,
      verdict text not null,
      reason text not null,
      created_at timestamptz not null default now(),
      unique (release_id, user_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table release_verdicts, release_runs, release_cards, releases, board_release_settings`.execute(
    db,
  );
}
