/**
 * Reports read single events out of a long log: a sprint's burndown reads the event that completed
 * it (it lists the work carried out of the sprint), and the cumulative flow looks up a card's last
 * bulk move. Without indexes both are scans of the board's whole event log; these partial indexes
 * hold only sprint completions and bulk moves, so single-card moves do not write them. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index board_events_sprint_completed_idx on board_events (board_id, (payload -> 'sprint' ->> 'id'))
    where type = 'sprint.completed'`.execute(db);
  await sql`create index board_events_bulk_moves_idx on board_events (board_id, seq) where type = 'cards.moved'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index board_events_bulk_moves_idx`.execute(db);
  await sql`drop index board_events_sprint_completed_idx`.execute(db);
}
