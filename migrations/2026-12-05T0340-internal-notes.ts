/**
 * Internal notes (issue 20): a comment the team writes on a service request for itself, never shown
 * to the requester and not a response to them. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table card_comments add column internal boolean not null default false`.execute(db);
}
