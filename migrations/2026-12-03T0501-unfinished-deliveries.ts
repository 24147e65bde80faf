/**
 * Deliveries acknowledged but not yet processed, in arrival order: what a starting server picks up
 * at once (a crashed server's in-hand deliveries would otherwise wait for their queue jobs to
 * expire). Partial, so it holds only the few rows in flight, not the retained log.
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index plugin_deliveries_unfinished_idx on plugin_deliveries (received_at, id)
    where status = 'queued'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index plugin_deliveries_unfinished_idx`.execute(db);
}
