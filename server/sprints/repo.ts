/** SQL for sprints: Kysely only, no rules (the state machine is domain/sprint.ts). */
import { type Kysely, sql, type Updateable } from 'kysely';
import type { Sprint } from '../../protocol/model.ts';
import type { Database, SprintRow, SprintsTable } from '../infra/schema.ts';

type Q = Kysely<Database>;

const num = (v: string | null) => (v === null ? null : Number(v));
export function toSprint(r: SprintRow): Sprint {
  return {
    id: r.id,
    name: r.name,
    goal: r.goal,
    state: r.state as Sprint['state'],
    capacity: num(r.capacity),
    startDate: r.start_date,
    endDate: r.end_date,
    startedAt: r.started_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    committedPoints: num(r.committed_points),
    completedPoints: num(r.completed_points),
    carryOver: r.carry_over,
  };
}

/** The board's sprints, oldest first. */
export function listSprints(db: Q, boardId: string) {
  return db.selectFrom('sprints').selectAll().where('board_id', '=', boardId).orderBy('created_at').execute();
}

export function insertSprint(
  db: Q,
  v: { boardId: string; name: string; goal: string; capacity: number | null },
) {
  return db
    .insertInto('sprints')
    .values({ board_id: v.boardId, name: v.name, goal: v.goal, state: 'planned', capacity: v.capacity })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One board-level lock for starting sprints: two "start" clicks cannot both find no active sprint. */
export async function lockSprintStart(db: Q, boardId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`sprint-start:${boardId}`}))`.execute(db);
}

export function lockSprint(db: Q, boardId: string, sprintId: string) {
  return db
    .selectFrom('sprints')
    .selectAll()
    .where('id', '=', sprintId)
    .where('board_id', '=', boardId)
    .forUpdate()
    .executeTakeFirst();
}

export function findActiveSprint(db: Q, boardId: string) {
  return db
    .selectFrom('sprints')
    .select('id')
    .where('board_id', '=', boardId)
    .where('state', '=', 'active')
    .executeTakeFirst();
}

/** The development stream's first To-do column, where a starting sprint's items land. */
export function firstTodoColumn(db: Q, boardId: string) {
  return db
    .selectFrom('board_columns')
    .select('id')
    .where('board_id', '=', boardId)
    .where('stream', '=', 'development')
    .where('category', '=', 'todo')
    .orderBy('position')
    .executeTakeFirst();
}

/** The sprint's cards not yet in a column go into `columnId`; every one of them counts a version. */
export function placeSprintCards(db: Q, sprintId: string, columnId: string, now: Date) {
  return db
    .updateTable('cards')
    .set((eb) => ({
      column_id: eb.fn.coalesce('column_id', eb.val(columnId)),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('sprint_id', '=', sprintId)
    .returningAll()
    .execute();
}

export function updateSprint(db: Q, sprintId: string, set: Updateable<SprintsTable>) {
  return db
    .updateTable('sprints')
    .set(set)
    .where('id', '=', sprintId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The sprint's cards with their column's category, in rank order, locked for completing it. */
export function lockSprintItems(db: Q, sprintId: string) {
  return db
    .selectFrom('cards')
    .leftJoin('board_columns as col', 'col.id', 'cards.column_id')
    .select(['cards.id', 'cards.estimate', 'cards.rank', 'col.category'])
    .where('cards.sprint_id', '=', sprintId)
    .orderBy('cards.rank')
    .forUpdate(['cards'])
    .execute();
}

/**
 * Carries unfinished cards over in one statement: out of their column and done stamp, into
 * `sprintId` (null: the backlog), each at its given rank (from the C-collated key space).
 */
export async function carryOver(db: Q, items: { id: string; rank: string }[], sprintId: string | null) {
  const values = items.map((item) => sql`(${item.id}::uuid, ${item.rank})`);
  await sql`
    update cards c set sprint_id = ${sprintId},
      column_id = null, done_at = null, rank = v.rank collate "C", version = c.version + 1, updated_at = now()
    from (values ${sql.join(values)}) as v(id, rank)
    where c.id = v.id`.execute(db);
}

/** Edits a sprint of the board; undefined when there is no such sprint. */
export function editSprint(
  db: Q,
  boardId: string,
  sprintId: string,
  set: { name?: string; goal?: string; capacity?: number | null },
) {
  return db
    .updateTable('sprints')
    .set(set)
    .where('id', '=', sprintId)
    .where('board_id', '=', boardId)
    .returningAll()
    .executeTakeFirst();
}
