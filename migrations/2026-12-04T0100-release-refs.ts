/**
 * What CI knows a release by (issue 16, deployment events): the git tag and the commit it was built
 * from, beside its version. Deployment plugins find a release by any of the three; the indexes serve
 * those look-ups per board (the commit one with text_pattern_ops, for a prefix such as a short SHA).
 * Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table releases add column tag text, add column commit_sha text`.execute(db);
  await sql`create index releases_board_tag_idx on releases (board_id, tag) where tag is not null`.execute(
    db,
  );
  await sql`
    create index releases_board_commit_idx on releases (board_id, commit_sha text_pattern_ops)
    where commit_sha is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index releases_board_commit_idx`.execute(db);
  await sql`drop index releases_board_tag_idx`.execute(db);
  await sql`alter table releases drop column commit_sha, drop column tag`.execute(db);
}
