/**
 * Releases, continued (issue 16): a reported run keeps who reported it when that was no person (a
 * plugin, `plugin:<id>`), and the URL the environment answers at when the tool gave one (a shadow's
 * hidden URL), so the release page can list its runs and the shadow's verification results.
 * Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table release_runs
      add column reported_by_label text,
      add column environment_url text`.execute(db);
  // The release page reads a release's runs in the order they were recorded.
  await sql`create index release_runs_release_position_idx on release_runs (release_id, position)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index release_runs_release_position_idx`.execute(db);
  await sql`alter table release_runs drop column environment_url, drop column reported_by_label`.execute(db);
}
