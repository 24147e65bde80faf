/**
 * SQL for feature flags: the catalogue written at start, every flag with its overrides (the
 * provider's cache), one override changed together with its audit entry and a NOTIFY to the other
 * server instances, and the audit log.
 */
import { type Generated, sql } from 'kysely';
import type { FlagType, FlagValue } from '../../protocol/flags.ts';
import type { Role } from '../../protocol/model.ts';
import type { FlagDefinition } from '../domain/flags.ts';
import type { Db } from '../infra/database.ts';

/** The channel every instance listens on; the payload is `<origin>:<flag key>`. */
export const FLAGS_CHANNEL = 'blendboard_flags';

type FlagTables = {
  feature_flags: {
    key: string;
    description: string;
    type: FlagType;
    default_value: FlagValue;
    created_at: Generated<Date>;
  };
  feature_flag_overrides: {
    id: Generated<number>;
    flag_key: string;
    board_id: string | null;
    role: Role | null;
    value: FlagValue;
    updated_at: Generated<Date>;
    updated_by: string | null;
  };
  feature_flag_audit: {
    id: Generated<number>;
    flag_key: string;
    board_id: string | null;
    role: Role | null;
    old_value: FlagValue | null;
    new_value: FlagValue | null;
    reason: string | null;
    actor_id: string | null;
    actor_name: string;
    at: Generated<Date>;
  };
};

const flagTables = (db: Db) => db.withTables<FlagTables>();

/** jsonb takes JSON text: a bare string parameter would not be JSON. */
const json = (value: FlagValue | null) =>
  value === null ? null : sql<FlagValue>`${JSON.stringify(value)}::jsonb`;

/** The code's catalogue is the authority on descriptions, types and defaults; overrides stay. */
export async function writeCatalogue(db: Db, flags: readonly FlagDefinition[]): Promise<void> {
  if (flags.length === 0) return;
  await flagTables(db)
    .insertInto('feature_flags')
    .values(
      flags.map((f) => ({
        key: f.key,
        description: f.description,
        type: f.type,
        default_value: json(f.defaultValue)!,
      })),
    )
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        description: eb.ref('excluded.description'),
        type: eb.ref('excluded.type'),
        default_value: eb.ref('excluded.default_value'),
      })),
    )
    .execute();
}

export interface FlagRow {
  key: string;
  description: string;
  type: FlagType;
  defaultValue: FlagValue;
  overrides: OverrideRow[];
}
export interface OverrideRow {
  boardId: string | null;
  role: Role | null;
  value: FlagValue;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Every flag with its overrides, in key order: a few rows per flag, read whole into the cache. */
export async function allFlags(db: Db): Promise<FlagRow[]> {
  const fdb = flagTables(db);
  const [flags, overrides] = await Promise.all([
    fdb
      .selectFrom('feature_flags')
      .select(['key', 'description', 'type', 'default_value'])
      .orderBy('key')
      .execute(),
    fdb
      .selectFrom('feature_flag_overrides as o')
      .leftJoin('users as u', 'u.id', 'o.updated_by')
      .select(['o.flag_key', 'o.board_id', 'o.role', 'o.value', 'o.updated_at', 'u.name as updated_by'])
      .orderBy('o.id')
      .execute(),
  ]);
  const byKey = new Map<string, FlagRow>(
    flags.map((f) => [
      f.key,
      { key: f.key, description: f.description, type: f.type, defaultValue: f.default_value, overrides: [] },
    ]),
  );
  for (const o of overrides) {
    byKey.get(o.flag_key)?.overrides.push({
      boardId: o.board_id,
      role: o.role,
      value: o.value,
      updatedAt: o.updated_at,
      updatedBy: o.updated_by,
    });
  }
  return [...byKey.values()];
}

export async function boardExists(db: Db, boardId: string): Promise<boolean> {
  return !!(await db.selectFrom('boards').select('id').where('id', '=', boardId).executeTakeFirst());
}

export interface OverrideChange {
  key: string;
  boardId: string | null;
  role: Role | null;
  /** null removes the override */
  value: FlagValue | null;
  reason: string | null;
  actorId: string | null;
  actorName: string;
  origin: string;
}

/**
 * Sets or removes one scope's override, writes the audit entry and announces the change, in one
 * transaction (the NOTIFY leaves at commit). Changes to one flag queue on its row, so each audit
 * entry's old value is the value the change replaced. Returns the old value, or undefined when the
 * flag does not exist; nothing is written when the value does not change.
 */
export async function changeOverride(
  db: Db,
  c: OverrideChange,
): Promise<{ old: FlagValue | null } | undefined> {
  return flagTables(db)
    .transaction()
    .execute(async (trx) => {
      const flag = await trx
        .selectFrom('feature_flags')
        .select('key')
        .where('key', '=', c.key)
        .forUpdate()
        .executeTakeFirst();
      if (!flag) return undefined;
      const current = await trx
        .selectFrom('feature_flag_overrides')
        .select('value')
        .where('flag_key', '=', c.key)
        .where(sameScope(c))
        .executeTakeFirst();
      const old = current?.value ?? null;
      if (JSON.stringify(old) === JSON.stringify(c.value)) return { old };
      if (c.value === null) {
        await trx
          .deleteFrom('feature_flag_overrides')
          .where('flag_key', '=', c.key)
          .where(sameScope(c))
          .execute();
      } else {
        await trx
          .insertInto('feature_flag_overrides')
          .values({
            flag_key: c.key,
            board_id: c.boardId,
            role: c.role,
            value: json(c.value)!,
            updated_by: c.actorId,
          })
          .onConflict((oc) =>
            oc.constraint('feature_flag_overrides_scope_uq').doUpdateSet({
              value: json(c.value)!,
              updated_by: c.actorId,
              updated_at: sql`now()`,
            }),
          )
          .execute();
      }
      await trx
        .insertInto('feature_flag_audit')
        .values({
          flag_key: c.key,
          board_id: c.boardId,
          role: c.role,
          old_value: json(old),
          new_value: json(c.value),
          reason: c.reason,
          actor_id: c.actorId,
          actor_name: c.actorName,
        })
        .execute();
      await sql`select pg_notify(${FLAGS_CHANNEL}, ${`${c.origin}:${c.key}`})`.execute(trx);
      return { old };
    });
}

/** The override row of exactly this scope (null board and null role are scopes of their own). */
const sameScope = (c: { boardId: string | null; role: Role | null }) =>
  sql<boolean>`board_id is not distinct from ${c.boardId}::uuid and role is not distinct from ${c.role}::text`;

export interface AuditRow {
  id: number;
  flagKey: string;
  boardId: string | null;
  role: Role | null;
  oldValue: FlagValue | null;
  newValue: FlagValue | null;
  reason: string | null;
  actorId: string | null;
  actorName: string;
  at: Date;
}

/**
 * The newest audit entries first, of one flag or of all. By id, not time: ids are taken under the
 * flag's lock, in the order the changes were made, while `at` is when each transaction began.
 */
export async function auditLog(db: Db, opts: { key?: string; limit: number }): Promise<AuditRow[]> {
  const rows = await flagTables(db)
    .selectFrom('feature_flag_audit')
    .selectAll()
    .$if(opts.key !== undefined, (q) => q.where('flag_key', '=', opts.key!))
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    flagKey: r.flag_key,
    boardId: r.board_id,
    role: r.role,
    oldValue: r.old_value,
    newValue: r.new_value,
    reason: r.reason,
    actorId: r.actor_id,
    actorName: r.actor_name,
    at: r.at,
  }));
}
