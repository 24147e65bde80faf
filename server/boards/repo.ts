/** SQL for boards (so far, creating one under a key no other board has, whatever its case). */
import { sql } from 'kysely';
import type { Db } from '../infra/database.ts';

/**
 * Inserts the board, or returns undefined when its key is taken (boards_key_lower_uq). A concurrent
 * insert of the same key waits for the other transaction, so exactly one of them gets the key.
 */
export function insertBoard(db: Db, v: { name: string; key: string; createdBy: string }) {
  return db
    .insertInto('boards')
    .values({ name: v.name, key: v.key, created_by: v.createdBy })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Keys (lower case) of the boards whose key starts with `prefix`, in any case. */
export async function keysStartingWith(db: Db, prefix: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('boards')
    .select(sql<string>`lower(key)`.as('key'))
    .where(sql<string>`lower(key)`, 'like', `${prefix.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`)
    .execute();
  return new Set(rows.map((r) => r.key));
}

export function addMember(db: Db, boardId: string, userId: string, role: string) {
  return db.insertInto('board_members').values({ board_id: boardId, user_id: userId, role }).execute();
}

/** Adds the person to the board, or changes their role there. */
export function upsertMember(db: Db, boardId: string, userId: string, role: string) {
  return db
    .insertInto('board_members')
    .values({ board_id: boardId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['board_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

/** Takes the person off the board; undefined when they were not on it. */
export function deleteMember(db: Db, boardId: string, userId: string) {
  return db
    .deleteFrom('board_members')
    .where('board_id', '=', boardId)
    .where('user_id', '=', userId)
    .returning('user_id')
    .executeTakeFirst();
}

/** The board's members with their names, by name. */
export function listMembers(db: Db, boardId: string) {
  return db
    .selectFrom('board_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'u.email', 'm.role'])
    .where('m.board_id', '=', boardId)
    .orderBy('u.name')
    .execute();
}

/** Every board with the user's role on it (null when not a member), oldest first; `all` keeps the others too. */
export function listBoards(db: Db, userId: string | null, all: boolean) {
  return db
    .selectFrom('boards as b')
    .leftJoin('board_members as m', (j) => j.onRef('m.board_id', '=', 'b.id').on('m.user_id', '=', userId))
    .select(['b.id', 'b.name', 'b.key', 'b.seq', 'm.role'])
    .$if(!all, (q) => q.where('m.role', 'is not', null))
    .orderBy('b.created_at')
    .execute();
}

export function getBoard(db: Db, boardId: string) {
  return db.selectFrom('boards').selectAll().where('id', '=', boardId).executeTakeFirstOrThrow();
}

/**
 * What an opened board's text depends on besides its cards: the board's sequence number, and a hash
 * of its members' names and e-mails, which change without a board event (a person renamed).
 */
export async function snapshotStamp(db: Db, boardId: string): Promise<{ seq: number; members: string }> {
  const { rows } = await sql<{ seq: string; members: string }>`
    select b.seq, (
      select md5(coalesce(string_agg(u.id::text || '|' || u.name || '|' || u.email, ',' order by u.id), ''))
      from board_members m join users u on u.id = m.user_id where m.board_id = b.id
    ) as members
    from boards b where b.id = ${boardId}`.execute(db);
  return { seq: Number(rows[0]?.seq ?? 0), members: rows[0]?.members ?? '' };
}
