/**
 * The `service-desk` feature flag (default on) gates SLA clocks, on-call and problems/known errors.
 * It replaces the `sla` placeholder flag that nothing read: an override set on `sla` carries over
 * (its audit entries stay under the old key). The server writes its catalogue at start too; seeding
 * here makes the flag exist for the admin page and the API on a database migrated before the server
 * of this version first starts.
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`insert into feature_flags (key, description, type, default_value)
    values ('service-desk',
      'The service desk: SLA clocks and settings, on-call (who is on duty, rotas, escalations, alert noise), problems and known errors, major incidents. Off hides and refuses them; clocks and escalations keep running',
      'boolean', 'true'::jsonb)
    on conflict (key) do nothing`.execute(db);
  await sql`insert into feature_flag_overrides (flag_key, board_id, role, value, updated_at, updated_by)
    select 'service-desk', board_id, role, value, updated_at, updated_by
    from feature_flag_overrides where flag_key = 'sla'
    on conflict on constraint feature_flag_overrides_scope_uq do nothing`.execute(db);
  await sql`delete from feature_flags where key = 'sla'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`insert into feature_flags (key, description, type, default_value)
    values ('sla', 'SLA clocks and breaches', 'boolean', 'true'::jsonb)
    on conflict (key) do nothing`.execute(db);
  await sql`insert into feature_flag_overrides (flag_key, board_id, role, value, updated_at, updated_by)
    select 'sla', board_id, role, value, updated_at, updated_by
    from feature_flag_overrides where flag_key = 'service-desk'
    on conflict on constraint feature_flag_overrides_scope_uq do nothing`.execute(db);
  await sql`delete from feature_flags where key = 'service-desk'`.execute(db);
}
