/** SQL for board columns: Kysely only, no rules. */
import { type Kysely, sql } from 'kysely';
import type { Column, Stream } from '../../protocol/model.ts';
import type { PlacedColumn } from '../domain/column-order.ts';
import type { ColumnRow, ColumnUpdate, Database, NewColumn } from '../infra/schema.ts';

type Q = Kysely<Database>;

export function toColumn(r: ColumnRow): Column {
  return {
    id: r.id,
    stream: r.stream as Column['stream'],
    name: r.name,
    position: r.position,
    category: r.category as Column['category'],
    wipLimit: r.wip_limit,
    wipPolicy: r.wip_policy as Column['wipPolicy'],
    expediteExempt: r.expedite_exempt,
    entryPolicy: r.entry_policy,
    exitPolicy: r.exit_policy,
    version: r.version,
  };
}

/** Serialises the column changes of one board (positions are per board). */
export async function lockBoard(db: Q, boardId: string): Promise<void> {
  await sql`select 1 from boards where id = ${boardId} for update`.execute(db);
}

/** The ids of the board's done columns (of either stream). */
export function doneColumns(db: Q, boardId: string) {
  return db
    .selectFrom('board_columns')
    .select('id')
    .where('board_id', '=', boardId)
    .where('category', '=', 'done')
    .execute();
}

/** All the board's columns, left to right. */
export function boardColumns(db: Q, boardId: string) {
  return db
    .selectFrom('board_columns')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('position')
    .execute();
}

/** A stream's columns, left to right. */
export function streamColumns(db: Q, boardId: string, stream: Stream) {
  return db
    .selectFrom('board_columns')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('stream', '=', stream)
    .orderBy('position')
    .execute();
}

export async function maxPosition(db: Q, boardId: string): Promise<number> {
  const r = await db
    .selectFrom('board_columns')
    .select((eb) => eb.fn.max('position').as('p'))
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  return r?.p ?? -1;
}

/** Makes room at `position`: every column of the board from there on moves one place right. */
export async function shiftFrom(db: Q, boardId: string, position: number): Promise<void> {
  await db
    .updateTable('board_columns')
    .set((eb) => ({ position: eb('position', '+', 1) }))
    .where('board_id', '=', boardId)
    .where('position', '>=', position)
    .execute();
}

export async function insertColumns(db: Q, columns: NewColumn[]): Promise<void> {
  await db.insertInto('board_columns').values(columns).execute();
}

export function insertColumn(db: Q, column: NewColumn) {
  return db.insertInto('board_columns').values(column).returningAll().executeTakeFirstOrThrow();
}

export function lockColumn(db: Q, boardId: string, columnId: string) {
  return db
    .selectFrom('board_columns')
    .selectAll()
    .where('id', '=', columnId)
    .where('board_id', '=', boardId)
    .forUpdate()
    .executeTakeFirst();
}

/** Writes the column's settings and counts the edit in its version. */
export function updateSettings(db: Q, columnId: string, set: ColumnUpdate) {
  return db
    .updateTable('board_columns')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('id', '=', columnId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** New positions for some columns of the board, in one statement (the uniqueness check runs at its end). */
export async function placeColumns(db: Q, boardId: string, placed: readonly PlacedColumn[]): Promise<void> {
  if (placed.length === 0) return;
  const rows = sql.join(placed.map((c) => sql`(${c.id}::uuid, ${c.position}::int)`));
  await sql`
    update board_columns c set position = v.position
    from (values ${rows}) as v(id, position)
    where c.id = v.id and c.board_id = ${boardId}`.execute(db);
}

export async function holdsCards(db: Q, columnId: string): Promise<boolean> {
  const card = await db
    .selectFrom('cards')
    .select('id')
    .where('column_id', '=', columnId)
    .limit(1)
    .executeTakeFirst();
  return card !== undefined;
}

export async function deleteColumn(db: Q, columnId: string): Promise<void> {
  await db.deleteFrom('board_columns').where('id', '=', columnId).execute();
}
