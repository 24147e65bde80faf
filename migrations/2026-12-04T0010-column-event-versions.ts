/**
 * Board events are typed (protocol/events.ts): a column event carries the whole column, version
 * included. Column events recorded before columns had versions (2026-11-22T0004) carry none, and
 * the catch-up and history routes could not serialise them. That migration gave every existing
 * column version 1, so their events get the same. Frozen once landed: later changes go in a new file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update board_events set payload = jsonb_set(payload, '{column,version}', '1')
    where type in ('column.created', 'column.updated') and payload -> 'column' -> 'version' is null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  // Nothing to undo: a column with a version is what the older code read as well.
}
