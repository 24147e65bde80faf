/**
 * Feature flags: the flags (their type and default, written by the server from its catalogue at
 * start), overrides per scope (the installation, a board, a role, or a role on a board) and the
 * audit log of every change (who, when, which scope, old and new value, why).
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feature_flags')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('boolean','string','number')`))
    .addColumn('default_value', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A null board means every board, a null role every role: one row per scope, nulls included.
  await sql`create table feature_flag_overrides (
    id bigint generated always as identity primary key,
    flag_key text not null references feature_flags (key) on delete cascade,
    board_id uuid references boards (id) on delete cascade,
    role text check (role in ('admin','product_owner','developer','maintenance','viewer')),
    value jsonb not null,
    updated_at timestamptz not null default now(),
    updated_by uuid references users (id) on delete set null,
    constraint feature_flag_overrides_scope_uq unique nulls not distinct (flag_key, board_id, role)
  )`.execute(db);

  // The audit outlives boards and accounts: plain ids and the actor's name as it was, no foreign keys.
  await sql`create table feature_flag_audit (
    id bigint generated always as identity primary key,
    flag_key text not null,
    board_id uuid,
    role text,
    old_value jsonb,
    new_value jsonb,
    reason text,
    actor_id uuid,
    actor_name text not null,
    at timestamptz not null default now()
  )`.execute(db);
  await sql`create index feature_flag_audit_at_idx on feature_flag_audit (at desc, id desc)`.execute(db);
  await sql`create index feature_flag_audit_flag_idx on feature_flag_audit (flag_key, at desc, id desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table feature_flag_audit`.execute(db);
  await sql`drop table feature_flag_overrides`.execute(db);
  await sql`drop table feature_flags`.execute(db);
}
