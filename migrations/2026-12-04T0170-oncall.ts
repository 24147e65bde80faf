/**
 * On-call (issue 20): rotas per board (members, shift pattern, dev↔AMS rotation), their overrides
 * and swaps, escalation policies, and the escalations of incidents with each page sent. An
 * escalation's `next_at` is the time its next step is due; the scheduler reads only the due rows
 * (partial index), so its cost follows the number due, not the number open. Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table oncall_rotas (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      name text not null,
      duty text not null,
      rotation boolean not null default false,
      members jsonb not null,
      pattern jsonb not null,
      start_date date not null,
      created_at timestamptz not null default now(),
      revision integer not null default 1
    )`.execute(db);
  await sql`create index oncall_rotas_board_idx on oncall_rotas (board_id)`.execute(db);
  await sql`
    create table oncall_covers (
      id uuid primary key default gen_random_uuid(),
      rota_id uuid not null references oncall_rotas(id) on delete cascade,
      kind text not null,
      user_id uuid not null references users(id) on delete cascade,
      with_user_id uuid references users(id) on delete cascade,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      check (ends_at > starts_at),
      check ((kind = 'swap') = (with_user_id is not null))
    )`.execute(db);
  await sql`create index oncall_covers_rota_idx on oncall_covers (rota_id, ends_at)`.execute(db);
  await sql`
    create table oncall_policies (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      name text not null,
      priorities jsonb not null,
      steps jsonb not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index oncall_policies_board_idx on oncall_policies (board_id)`.execute(db);
  await sql`
    create table oncall_escalations (
      id uuid primary key default gen_random_uuid(),
      board_id uuid not null references boards(id) on delete cascade,
      card_id uuid not null unique references cards(id) on delete cascade,
      policy_id uuid references oncall_policies(id) on delete set null,
      steps jsonb not null,
      triggered_at timestamptz not null,
      next_step integer not null default 0,
      next_at timestamptz,
      acked_at timestamptz,
      acked_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index oncall_escalations_due_idx on oncall_escalations (next_at) where next_at is not null`.execute(
    db,
  );
  await sql`
    create table oncall_pages (
      escalation_id uuid not null references oncall_escalations(id) on delete cascade,
      step integer not null,
      user_id uuid references users(id) on delete set null,
      paged_at timestamptz not null default now(),
      primary key (escalation_id, step)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table oncall_pages, oncall_escalations, oncall_policies, oncall_covers, oncall_rotas`.execute(
    db,
  );
}
