/** SQL for cards: Kysely only, no rules. */
import { type Kysely, sql } from 'kysely';
import type { Card } from '../../protocol/model.ts';
import { PREPARED } from '../infra/database.ts';
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

/** A card row plus everything a move needs to decide, read in ONE statement (see `loadMove`). */
export interface MoveRow extends CardRow {
  /** the actor's membership role (null when not a member) */
  member_role: string | null;
  /** the column the card would sit in (snake_case row), or null */
  target_column: {
    id: string;
    name: string;
    stream: string;
    category: string;
    wip_limit: number | null;
    wip_policy: string;
    expedite_exempt: boolean;
  } | null;
  target_sprint_state: string | null;
  active_sprint_id: string | null;
  anchor_rank: string | null;
  neighbour_rank: string | null;
}

/**
 * The card, the actor's role, the column and sprint the move names, the active sprint and the ranks
 * around the drop point, in one round trip: a move's reads cost one statement however many rules
 * they feed. No lock is taken; the write is guarded by the card's version instead (`moveCard`).
 */
export async function loadMove(
  db: Q,
  boardId: string,
  cardId: string,
  userId: string | null,
  move: {
    columnId?: string | null;
    sprintId?: string | null;
    afterId?: string | null;
    beforeId?: string | null;
  },
): Promise<MoveRow | undefined> {
  const column = move.columnId === undefined ? sql`c.column_id` : sql`${move.columnId ?? null}::uuid`;
  const anchorId = move.afterId ?? move.beforeId ?? null;
  const neighbour = move.afterId
    ? sql`(select n.rank from cards n where n.board_id = c.board_id and n.rank > a.rank and n.id <> c.id
           order by n.rank limit 1)`
    : sql`(select n.rank from cards n where n.board_id = c.board_id and n.rank < a.rank and n.id <> c.id
           order by n.rank desc limit 1)`;
  const { rows } = await sql<MoveRow>`${sql.raw(PREPARED)}
    select c.*,
      (select m.role from board_members m where m.board_id = c.board_id and m.user_id = ${userId}) as member_role,
      (select row_to_json(k) from (
         select id, name, stream, category, wip_limit, wip_policy, expedite_exempt
         from board_columns where id = ${column} and board_id = c.board_id) k) as target_column,
      (select s.state from sprints s where s.id = ${move.sprintId ?? null}::uuid and s.board_id = c.board_id)
        as target_sprint_state,
      (select s.id from sprints s where s.board_id = c.board_id and s.state = 'active' limit 1) as active_sprint_id,
      a.rank as anchor_rank,
      ${anchorId ? neighbour : sql`null`} as neighbour_rank
    from cards c
    left join cards a on a.id = ${anchorId}::uuid and a.board_id = c.board_id
    where c.id = ${cardId} and c.board_id = ${boardId}`.execute(db);
  return rows[0];
}

/** A move's write: the card's new place, guarded by the version the move was decided on. */
export interface MoveWrite {
  id: string;
  /** the version the move read; the write applies only while the card is still at it */
  version: number;
  rank: string;
  columnId: string | null;
  sprintId: string | null;
  stream: string;
  startedAt: Date | null;
  doneAt: Date | null;
  /** undefined leaves the assignee alone (only a pull assigns) */
  assigneeId?: string | null;
  updatedAt: Date;
}

/**
 * One move's write as a guarded change (RETURNING the id), for the event log to commit together with
 * its event; no row (someone moved the card first) means nothing is recorded.
 */
export function moveCard(db: Q, w: MoveWrite) {
  return db
    .updateTable('cards')
    .set({
      rank: w.rank,
      column_id: w.columnId,
      sprint_id: w.sprintId,
      stream: w.stream,
      started_at: w.startedAt,
      done_at: w.doneAt,
      ...(w.assigneeId !== undefined ? { assignee_id: w.assigneeId } : {}),
      version: w.version + 1,
      updated_at: w.updatedAt,
    })
    .where('id', '=', w.id)
    .where('version', '=', w.version)
    .returning('id');
}

/**
 * Several moves' writes (at most one per card) as ONE guarded statement, returning `card_id` for each
 * card still at the version its move read. The values travel as arrays, so the statement's text is
 * the same for any number of moves and is prepared once per connection.
 */
export function moveCards(boardId: string, writes: MoveWrite[]) {
  const column = <T>(pick: (w: MoveWrite) => T) => writes.map(pick);
  return sql<{ card_id: string }>`update cards c set
      rank = w.rank, column_id = w.column_id, sprint_id = w.sprint_id, stream = w.stream,
      started_at = w.started_at, done_at = w.done_at,
      assignee_id = case when w.sets_assignee then w.assignee_id else c.assignee_id end,
      version = w.version + 1, updated_at = w.updated_at
    from unnest(
      ${column((w) => w.id)}::uuid[], ${column((w) => w.version)}::int[], ${column((w) => w.rank)}::text[],
      ${column((w) => w.columnId)}::uuid[], ${column((w) => w.sprintId)}::uuid[], ${column((w) => w.stream)}::text[],
      ${column((w) => w.startedAt)}::timestamptz[], ${column((w) => w.doneAt)}::timestamptz[],
      ${column((w) => w.assigneeId ?? null)}::uuid[], ${column((w) => w.assigneeId !== undefined)}::bool[],
      ${column((w) => w.updatedAt)}::timestamptz[]
    ) as w(id, version, rank, column_id, sprint_id, stream, started_at, done_at, assignee_id, sets_assignee, updated_at)
    where c.id = w.id and c.version = w.version and c.board_id = ${boardId}
    returning c.id as card_id`;
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
