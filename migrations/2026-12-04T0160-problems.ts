/**
 * Problems and known errors (issue 20): a problem card's record (root cause, workaround, error
 * signature, known-error status) and an incident's major-incident record (flag, impact, actions,
 * post-incident review and the runbook change it caused). Card links stay in plugin_ticket_links,
 * which people now write too. Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table problem_records (
      card_id uuid primary key references cards(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      root_cause text not null default '',
      workaround text not null default '',
      signature text not null default '',
      status text not null default 'none'
        check (status in ('none', 'investigating', 'known_error', 'resolved')),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // The known-error database and the incident match read a board's known errors.
  await sql`create index problem_records_board_status_idx on problem_records (board_id, status)`.execute(db);
  await sql`
    create table major_incidents (
      card_id uuid primary key references cards(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      major boolean not null default false,
      declared_at timestamptz,
      impact text not null default '',
      actions text not null default '',
      review_notes text not null default '',
      runbook_change_url text,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table major_incidents`.execute(db);
  await sql`drop table problem_records`.execute(db);
}
