/** SQL for cards: Kysely only, no rules (a new card goes to the top or bottom by rank, nothing more). */
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Card } from '../../protocol/model.ts';
import { rankBetween } from '../domain/rank.ts';
import { PREPARED } from '../infra/database.ts';
import type { CardCommentsTable, CardRow, CardUpdate, Database, NewCard } from '../infra/schema.ts';

type Q = Kysely<Database>;
type NewCardComment = Insertable<CardCommentsTable>;
type CardCommentRow = Selectable<CardCommentsTable>;

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

/** A card row plus everything a move needs to decide, read in ONE statement (see `loadMoves`). */
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

/** What a move asks for, as far as reading its facts goes. */
export interface MoveRead {
  cardId: string;
  userId: string | null;
  /** undefined keeps the card's column */
  columnId?: string | null;
  sprintId?: string | null;
  afterId?: string | null;
  beforeId?: string | null;
}

/**
 * For each move: the card, the actor's role, the column and sprint the move names, the active sprint
 * and the ranks around the drop point, all in ONE statement for any number of moves on the board
 * (the requests travel as arrays, so the text is the same and prepared once). No lock is taken; the
 * write is guarded by the card's version instead (`moveCard`). Rows come back in request order,
 * undefined for a card that is not on the board.
 */
export async function loadMoves(db: Q, boardId: string, reads: MoveRead[]): Promise<(MoveRow | undefined)[]> {
  const each = <T>(pick: (r: MoveRead) => T) => reads.map(pick);
  const { rows } = await sql<MoveRow & { ord: string }>`${sql.raw(PREPARED)}
    select i.ord, c.*,
      (select m.role from board_members m where m.board_id = c.board_id and m.user_id = i.user_id) as member_role,
      (select row_to_json(k) from (
         select id, name, stream, category, wip_limit, wip_policy, expedite_exempt
         from board_columns
         where id = case when i.keeps_column then c.column_id else i.column_id end and board_id = c.board_id) k)
        as target_column,
      (select s.state from sprints s where s.id = i.sprint_id and s.board_id = c.board_id) as target_sprint_state,
      (select s.id from sprints s where s.board_id = c.board_id and s.state = 'active' limit 1) as active_sprint_id,
      a.rank as anchor_rank,
      case
        when a.id is null then null
        when i.after then (select n.rank from cards n where n.board_id = c.board_id and n.rank > a.rank
                           and n.id <> c.id order by n.rank limit 1)
        else (select n.rank from cards n where n.board_id = c.board_id and n.rank < a.rank
              and n.id <> c.id order by n.rank desc limit 1)
      end as neighbour_rank
    from unnest(
      ${each((r) => r.cardId)}::uuid[], ${each((r) => r.userId)}::uuid[],
      ${each((r) => r.columnId === undefined)}::bool[], ${each((r) => r.columnId ?? null)}::uuid[],
      ${each((r) => r.sprintId ?? null)}::uuid[], ${each((r) => r.afterId ?? r.beforeId ?? null)}::uuid[],
      ${each((r) => Boolean(r.afterId))}::bool[]
    ) with ordinality as i(card_id, user_id, keeps_column, column_id, sprint_id, anchor_id, after, ord)
    join cards c on c.id = i.card_id and c.board_id = ${boardId}
    left join cards a on a.id = i.anchor_id and a.board_id = c.board_id`.execute(db);
  const byOrd = new Map(rows.map((row) => [Number(row.ord), row]));
  return reads.map((_, i) => byOrd.get(i + 1));
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

/** The board's first (top) or last (bottom) card in rank order. */
export function edgeCard(db: Q, boardId: string, edge: 'top' | 'bottom') {
  return db
    .selectFrom('cards')
    .select(['id', 'rank'])
    .where('board_id', '=', boardId)
    .orderBy('rank', edge === 'top' ? 'asc' : 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * A new card at the top or bottom of the backlog, numbered from the board's counter: the one insert
 * of cards, for people (CardService.create) and plugins (the ticket writer). Call in a transaction.
 */
export async function insertCard(
  db: Q,
  boardId: string,
  position: 'top' | 'bottom',
  card: Omit<NewCard, 'board_id' | 'number' | 'key' | 'rank' | 'column_id' | 'sprint_id'>,
): Promise<CardRow> {
  const { card_counter: number, key } = await nextCardNumber(db, boardId);
  const edge = await edgeRank(db, boardId, position);
  const rank = position === 'top' ? rankBetween(null, edge) : rankBetween(edge, null);
  return db
    .insertInto('cards')
    .values({
      ...card,
      board_id: boardId,
      number,
      key: `${key}-${number}`,
      rank,
      column_id: null,
      sprint_id: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
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

/** Writes `set` on a card (held by the caller) and counts the change in its version. */
export function updateCard(db: Q, cardId: string, version: number, set: CardUpdate, now: Date) {
  return db
    .updateTable('cards')
    .set({ ...set, version: version + 1, updated_at: now })
    .where('id', '=', cardId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a card of the board; what the event names it by, or undefined when it was not there. */
export function deleteCard(db: Q, boardId: string, cardId: string) {
  return db
    .deleteFrom('cards')
    .where('id', '=', cardId)
    .where('board_id', '=', boardId)
    .returning(['key', 'title'])
    .executeTakeFirst();
}

/** The card a Kanban pull takes: the maintenance backlog's top unblocked card, expedite first. */
export function lockPullCandidate(db: Q, boardId: string) {
  return (
    db
      .selectFrom('cards')
      .select('id')
      .where('board_id', '=', boardId)
      .where('stream', '=', 'maintenance')
      .where('column_id', 'is', null)
      .where('blocked', '=', false)
      .orderBy(sql`class_of_service = 'expedite'`, 'desc')
      .orderBy('rank')
      .limit(1)
      // Skips an item another pull holds, but not one a row referring to it is being written for (a
      // foreign key's key-share lock, which FOR UPDATE would conflict with): the top stays the top.
      .forNoKeyUpdate()
      .skipLocked()
      .executeTakeFirst()
  );
}

/** The board's cards among `cardIds`, in rank order, locked for a bulk move. */
export function lockCardsOf(db: Q, boardId: string, cardIds: string[]) {
  return db
    .selectFrom('cards')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', 'in', cardIds)
    .orderBy('rank')
    .forUpdate()
    .execute();
}

export function cardsByIds(db: Q, cardIds: string[]) {
  return db.selectFrom('cards').selectAll().where('id', 'in', cardIds).orderBy('rank').execute();
}

/** The rank at the top or bottom of the board leaving `cardIds` out. */
export async function edgeRankExcept(
  db: Q,
  boardId: string,
  edge: 'top' | 'bottom',
  cardIds: string[],
): Promise<string | null> {
  const row = await db
    .selectFrom('cards')
    .select('rank')
    .where('board_id', '=', boardId)
    .where('id', 'not in', cardIds)
    .orderBy('rank', edge === 'top' ? 'asc' : 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.rank ?? null;
}

/**
 * A bulk move's write: each card to its rank, to `stream` when given (leaving its column when that
 * changes its stream), and into `sprintId` when given (out of any sprint outside development).
 */
export async function bulkMoveCards(
  db: Q,
  ranks: { id: string; rank: string }[],
  stream: string | null,
  sprintId: string | null | undefined,
) {
  const values = ranks.map((r) => sql`(${r.id}::uuid, ${r.rank})`);
  await sql`
    update cards c set
      rank = v.rank collate "C",
      stream = coalesce(${stream}, c.stream),
      column_id = case when ${stream}::text is not null and ${stream} <> c.stream then null else c.column_id end,
      sprint_id = case when coalesce(${stream}, c.stream) <> 'development' then null
                       when ${sprintId !== undefined} then ${sprintId ?? null}::uuid else c.sprint_id end,
      version = c.version + 1, updated_at = now()
    from (values ${sql.join(values)}) as v(id, rank)
    where c.id = v.id`.execute(db);
}

/** The state of a sprint of the board, or undefined. */
export function sprintState(db: Q, boardId: string, sprintId: string) {
  return db
    .selectFrom('sprints')
    .select('state')
    .where('id', '=', sprintId)
    .where('board_id', '=', boardId)
    .executeTakeFirst();
}

export function isMember(db: Q, boardId: string, userId: string) {
  return db
    .selectFrom('board_members')
    .select('user_id')
    .where('board_id', '=', boardId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function insertComment(db: Q, comment: NewCardComment) {
  return db.insertInto('card_comments').values(comment).returningAll().executeTakeFirstOrThrow();
}

export function listComments(db: Q, cardId: string) {
  return db
    .selectFrom('card_comments')
    .selectAll()
    .where('card_id', '=', cardId)
    .orderBy('created_at')
    .execute();
}

export function toComment(r: CardCommentRow) {
  return {
    id: r.id,
    cardId: r.card_id,
    author: r.author_label,
    body: r.body,
    createdAt: r.created_at.toISOString(),
    internal: r.internal,
  };
}

/** Links two cards (a plugin's ticket links); false when the link was there already. */
export async function insertLink(
  db: Q,
  row: { board_id: string; card_id: string; linked_card_id: string; kind: string; created_by_label: string },
): Promise<boolean> {
  const r = await db
    .insertInto('plugin_ticket_links')
    .values(row)
    .onConflict((oc) => oc.columns(['card_id', 'linked_card_id', 'kind']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

// ---- a board's first screen (boards/service.ts firstScreen): bounded reads, whatever the board's size ----

/** The backlog's first `limit` cards in rank order (the board-and-rank index, read no further). */
export function firstCardsByRank(db: Q, boardId: string, limit: number) {
  return db
    .selectFrom('cards')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('rank')
    .limit(limit)
    .execute();
}

/**
 * Each column of `stream`'s first `perColumn` cards in rank order; `sprintId` keeps only that
 * sprint's cards and adds its first `perColumn` cards that have no column yet (the sprint board
 * shows them in To do).
 */
export async function firstCardsOfColumns(
  db: Q,
  boardId: string,
  stream: string,
  perColumn: number,
  sprintId: string | null,
): Promise<CardRow[]> {
  const inSprint = sprintId ? sql`and c.sprint_id = ${sprintId}` : sql``;
  const { rows } = await sql<CardRow>`
    select c.* from board_columns k
    cross join lateral (
      select * from cards c where c.column_id = k.id and c.board_id = k.board_id ${inSprint}
      order by c.rank limit ${perColumn}
    ) c
    where k.board_id = ${boardId} and k.stream = ${stream}`.execute(db);
  if (!sprintId) return rows;
  const waiting = await db
    .selectFrom('cards')
    .selectAll()
    .where('sprint_id', '=', sprintId)
    .where('column_id', 'is', null)
    .orderBy('rank')
    .limit(perColumn)
    .execute();
  return [...rows, ...waiting];
}

/** Kanban's "Up next": the first `perLane` unblocked maintenance backlog cards of each swimlane. */
export async function firstUpNextCards(db: Q, boardId: string, perLane: number): Promise<CardRow[]> {
  const lane = (expedite: boolean) =>
    db
      .selectFrom('cards')
      .selectAll()
      .where('board_id', '=', boardId)
      .where('stream', '=', 'maintenance')
      .where('column_id', 'is', null)
      .where('blocked', '=', false)
      .where('class_of_service', expedite ? '=' : '<>', 'expedite')
      .orderBy('rank')
      .limit(perLane)
      .execute();
  return (await Promise.all([lane(true), lane(false)])).flat();
}

/** How many cards the board holds. */
export async function countCards(db: Q, boardId: string): Promise<number> {
  const row = await db
    .selectFrom('cards')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('board_id', '=', boardId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
