/**
 * A sprint's burndown reads the event that completed it (it lists the work carried out of the
 * sprint). Without an index that is a scan of the board's whole event log; this partial index holds
 * only sprint completions, so it costs the card moves nothing. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index board_events_sprint_completed_idx on board_events (board_id, (payload -> 'sprint' ->> 'id'))
    where type = 'sprint.completed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index board_events_sprint_completed_idx`.execute(db);
}
