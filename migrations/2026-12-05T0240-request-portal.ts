/**
 * The request portal (issue 20): who is a requester on a board (not a member: the portal is all they
 * reach), and which card is whose service request, with its request type. Ratings live in
 * request_ratings (2026-12-05T0100). Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table board_requesters (
      board_id uuid not null references boards(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      added_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      primary key (board_id, user_id)
    )`.execute(db);
  await sql`create index board_requesters_user_idx on board_requesters (user_id)`.execute(db);
  await sql`
    create table service_requests (
      card_id uuid primary key references cards(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      requester_id uuid not null references users(id) on delete cascade,
      request_type text not null check (request_type in ('information', 'change', 'feature')),
      created_at timestamptz not null default now()
    )`.execute(db);
  // "My requests": a requester's requests on a board, newest first.
  await sql`create index service_requests_requester_idx on service_requests (board_id, requester_id, created_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table service_requests, board_requesters`.execute(db);
}
