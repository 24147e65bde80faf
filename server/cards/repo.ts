/** SQL for cards: Kysely only, no rules. */
import { type Kysely, sql } from 'kysely';
import type { Card } from '../../protocol/model.ts';
import type { CardRow, Database } from '../infra/schema.ts';

type Q = Kysely<Database>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toCard(r: CardRow): Card {
  return {
    id: r.id,
    boardId: r.board_id,
    number: r.number,
    key: r.key,
    title: r.title,
    description: r.description,
    type: r.type as Card['type'],
    stream: r.stream as Card['stream'],
    rank: r.rank,
    columnId: r.column_id,
    sprintId: r.sprint_id,
    estimate: r.estimate === null ? null : Number(r.estimate),
    classOfService: r.class_of_service as Card['classOfService'],
    priority: r.priority as Card['priority'],
    assigneeId: r.assignee_id,
    labels: r.labels,
    blocked: r.blocked,
    blockedReason: r.blocked_reason,
    dueDate: r.due_date,
    source: (r.source as Card['source']) ?? null,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: iso(r.started_at),
    doneAt: iso(r.done_at),
  };
}

export function listCards(db: Q, boardId: string) {
  return db.selectFrom('cards').selectAll().where('board_id', '=', boardId).orderBy('rank').execute();
}

const isoUtc = (column: string) =>
  sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * Every card of a board in rank order as JSON text, serialised by PostgreSQL: for big boards this
 * skips building 10,000 row objects in Node. The shape must equal toCard(); a test holds them equal.
 */
export async function listCardsJson(db: Q, boardId: string): Promise<string> {
  // row_to_json writes compact JSON (json_build_object/json_agg pad with spaces: +15% bytes).
  const { rows } = await sql<{ cards: string | null }>`
    select '[' || string_agg(row_to_json(t)::text, ',' order by t.rank) || ']' as cards
    from (
      select id, board_id as "boardId", number, key, title, description, type, stream, rank,
        column_id as "columnId", sprint_id as "sprintId", estimate::float8 as estimate,
        class_of_service as "classOfService", priority, assignee_id as "assigneeId", labels, blocked,
        blocked_reason as "blockedReason", due_date as "dueDate", source, version,
        ${isoUtc('created_at')} as "createdAt", ${isoUtc('updated_at')} as "updatedAt",
        ${isoUtc('started_at')} as "startedAt", ${isoUtc('done_at')} as "doneAt"
      from cards where board_id = ${boardId}
    ) t`.execute(db);
  return rows[0]?.cards ?? '[]';
}

export function findCard(db: Q, boardId: string, cardId: string) {
  return db
    .selectFrom('cards')
    .selectAll()
    .where('id', '=', cardId)
    .where('board_id', '=', boardId)
    .executeTakeFirst();
}

export function lockCard(db: Q, boardId: string, cardId: string) {
  return db
    .selectFrom('cards')
    .selectAll()
    .where('id', '=', cardId)
    .where('board_id', '=', boardId)
    .forUpdate()
    .executeTakeFirst();
}

/** The anchor's rank and the next rank after it in global order (ignoring the moving card). */
export async function rankAfter(db: Q, boardId: string, anchorId: string, movingId: string) {
  const { rows } = await sql<{ anchor: string; next: string | null }>`
    select a.rank as anchor,
      (select c.rank from cards c where c.board_id = a.board_id and c.rank > a.rank and c.id <> ${movingId}
        order by c.rank limit 1) as next
    from cards a where a.id = ${anchorId} and a.board_id = ${boardId}`.execute(db);
  return rows[0];
}

/** The anchor's rank and the previous rank before it in global order (ignoring the moving card). */
export async function rankBefore(db: Q, boardId: string, anchorId: string, movingId: string) {
  const { rows } = await sql<{ anchor: string; previous: string | null }>`
    select a.rank as anchor,
      (select c.rank from cards c where c.board_id = a.board_id and c.rank < a.rank and c.id <> ${movingId}
        order by c.rank desc limit 1) as previous
    from cards a where a.id = ${anchorId} and a.board_id = ${boardId}`.execute(db);
  return rows[0];
}

export async function edgeRank(db: Q, boardId: string, edge: 'top' | 'bottom'): Promise<string | null> {
  const row = await db
    .selectFrom('cards')
    .select('rank')
    .where('board_id', '=', boardId)
    .orderBy('rank', edge === 'top' ? 'asc' : 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.rank ?? null;
}

export function nextCardNumber(db: Q, boardId: string) {
  return db
    .updateTable('boards')
    .set((eb) => ({ card_counter: eb('card_counter', '+', 1) }))
    .where('id', '=', boardId)
    .returning(['card_counter', 'key'])
    .executeTakeFirstOrThrow();
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

export function findColumn(db: Q, boardId: string, columnId: string) {
  return db
    .selectFrom('board_columns')
    .selectAll()
    .where('id', '=', columnId)
    .where('board_id', '=', boardId)
    .executeTakeFirst();
}

/** Cards in a column that count toward its WIP limit (expedite ones excluded when exempt). */
export async function columnOccupancy(
  db: Q,
  columnId: string,
  excludeExpedite: boolean,
  excludeCardId: string,
) {
  const row = await db
    .selectFrom('cards')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('column_id', '=', columnId)
    .where('id', '<>', excludeCardId)
    .$if(excludeExpedite, (qb) => qb.where('class_of_service', '<>', 'expedite'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
