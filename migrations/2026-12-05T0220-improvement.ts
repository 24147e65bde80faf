/**
 * Review and improve (issue 17): a board's review cadence, its reviews of the release procedure
 * (scheduled, held, attendees, minutes, releases reviewed) and the improvement register the reviews
 * raise items into (baseline, target, owner, due quarter, status, result), each item linked to the
 * releases and cards (problems, incidents) that motivated it. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_improvement_settings (
      board_id uuid primary key references boards(id) on delete cascade,
      cadence_weeks integer not null check (cadence_weeks between 1 and 52),
      since date not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table improvement_reviews (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      title text not null,
      scheduled_on date not null,
      held_at timestamptz,
      minutes text not null default '',
      revision integer not null default 1,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index improvement_reviews_board_idx on improvement_reviews (board_id, scheduled_on)`.execute(
    db,
  );
  await sql`
    create table improvement_review_attendees (
      review_id uuid not null references improvement_reviews(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      primary key (review_id, user_id)
    )`.execute(db);
  await sql`
    create table improvement_review_releases (
      review_id uuid not null references improvement_reviews(id) on delete cascade,
      release_id uuid not null references releases(id) on delete cascade,
      primary key (review_id, release_id)
    )`.execute(db);
  await sql`
    create table improvement_items (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      number integer not null,
      title text not null,
      description text not null default '',
      review_id uuid references improvement_reviews(id) on delete set null,
      owner_id uuid references users(id) on delete set null,
      baseline_text text not null default '',
      baseline_value numeric,
      target_text text not null default '',
      target_value numeric,
      unit text not null default '',
      due_quarter text check (due_quarter ~ '^20[0-9]{2}-Q[1-4]$'),
      status text not null default 'proposed'
        check (status in ('proposed', 'planned', 'in_progress', 'done', 'dropped')),
      result text not null default '',
      result_value numeric,
      closed_at timestamptz,
      revision integer not null default 1,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (board_id, number)
    )`.execute(db);
  await sql`
    create table improvement_item_releases (
      item_id uuid not null references improvement_items(id) on delete cascade,
      release_id uuid not null references releases(id) on delete cascade,
      primary key (item_id, release_id)
    )`.execute(db);
  await sql`
    create table improvement_item_cards (
      item_id uuid not null references improvement_items(id) on delete cascade,
      card_id uuid not null references cards(id) on delete cascade,
      primary key (item_id, card_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'improvement_item_cards',
    'improvement_item_releases',
    'improvement_items',
    'improvement_review_releases',
    'improvement_review_attendees',
    'improvement_reviews',
    'board_improvement_settings',
  ])
    await sql`drop table ${sql.table(table)}`.execute(db);
}
