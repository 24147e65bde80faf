/**
 * Warranty requirements (issue 17): a release's non-functional acceptance criteria, each with a
 * measurable target, and what was measured against them during and after hyper-care (measurements
 * are only ever inserted: the history of who measured what, when). `release_warranties` holds the
 * revision of a release's warranty; its row is the lock every change of the warranty takes.
 * Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table release_warranties (
      release_id uuid primary key references releases(id) on delete cascade,
      revision integer not null default 0
    )`.execute(db);
  await sql`
    create table warranty_requirements (
      id uuid primary key default gen_random_uuid(),
      release_id uuid not null references releases(id) on delete cascade,
      category text not null,
      statement text not null,
      comparison text not null,
      target_value double precision not null,
      unit text not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index warranty_requirements_release_idx on warranty_requirements (release_id, created_at)`.execute(
    db,
  );
  await sql`
    create table warranty_measurements (
      id bigserial primary key,
      requirement_id uuid not null references warranty_requirements(id) on delete cascade,
      value double precision not null,
      measured_at timestamptz not null,
      by_user_id uuid references users(id) on delete set null,
      by_label text not null,
      note text not null default '',
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index warranty_measurements_requirement_idx on warranty_measurements (requirement_id, id)`.execute(
    db,
  );
  // Every board screen reads the board's running hyper-care (the cards' badges).
  await sql`create index release_hypercare_board_running_idx on release_hypercare (board_id) where state <> 'exited'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index release_hypercare_board_running_idx`.execute(db);
  await sql`drop table warranty_measurements, warranty_requirements, release_warranties`.execute(db);
}
