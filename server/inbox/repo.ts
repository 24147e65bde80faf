/** SQL of the in-app inbox: its cursors over the board event log, card watchers, notifications. */
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

// ---- Following the event log -------------------------------------------------------------------

/**
 * The board's cursor, locked until the transaction ends (another instance following the same board
 * waits here, then reads on from where this one stopped). A board without one starts at 0.
 */
export async function lockCursor(trx: Transaction<Database>, boardId: string): Promise<number | null> {
  await trx
    .insertInto('inbox_cursors')
    .columns(['board_id', 'seq'])
    .expression((eb) =>
      eb
        .selectFrom('boards')
        .select(['id', sql.lit(0).as('seq')])
        .where('id', '=', boardId),
    )
    .onConflict((oc) => oc.column('board_id').doNothing())
    .execute();
  const row = await trx
    .selectFrom('inbox_cursors')
    .select('seq')
    .where('board_id', '=', boardId)
    .forUpdate()
    .executeTakeFirst();
  return row ? Number(row.seq) : null;
}

export async function advanceCursor(trx: Transaction<Database>, boardId: string, seq: number): Promise<void> {
  await trx
    .updateTable('inbox_cursors')
    .set({ seq, updated_at: sql<Date>`now()` })
    .where('board_id', '=', boardId)
    .execute();
}

/** Boards with events the inbox has not followed yet (a crash, another instance's, or before start). */
export async function boardsBehind(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('boards as b')
    .leftJoin('inbox_cursors as c', 'c.board_id', 'b.id')
    .select('b.id')
    .where(sql<boolean>`b.seq > coalesce(c.seq, 0)`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function assignees(db: Q, cardIds: string[]): Promise<Map<string, string | null>> {
  if (cardIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('cards')
    .select(['id', 'assignee_id'])
    .where('id', 'in', cardIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.assignee_id]));
}

export async function watchersOf(db: Q, cardIds: string[]): Promise<{ card_id: string; user_id: string }[]> {
  if (cardIds.length === 0) return [];
  return db
    .selectFrom('card_watchers')
    .select(['card_id', 'user_id'])
    .where('card_id', 'in', cardIds)
    .where('watching', '=', true)
    .execute();
}

/** Of these people, the ones who may read the board: its members and the administrators. */
export async function readersAmong(db: Q, boardId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('users as u')
    .select('u.id')
    .where('u.id', 'in', userIds)
    .where((eb) =>
      eb.or([
        eb('u.is_admin', '=', true),
        eb.exists(
          eb
            .selectFrom('board_members as m')
            .select('m.user_id')
            .whereRef('m.user_id', '=', 'u.id')
            .where('m.board_id', '=', boardId),
        ),
      ]),
    )
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function releaseOwners(db: Q, releaseIds: string[]): Promise<Map<string, string | null>> {
  if (releaseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('releases')
    .select(['id', 'created_by'])
    .where('id', 'in', releaseIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.created_by]));
}

export async function columnNames(db: Q, columnIds: string[]): Promise<Map<string, string>> {
  if (columnIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('board_columns')
    .select(['id', 'name'])
    .where('id', 'in', columnIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Watch cards because of an event (`seq`): a person's own later choice (`setWatching`) is not undone
 * by an earlier event still being followed.
 */
export async function autoWatch(
  trx: Transaction<Database>,
  rows: { card_id: string; user_id: string; seq: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto('card_watchers')
    .values(rows.map((r) => ({ ...r, watching: true })))
    .onConflict((oc) =>
      oc
        .columns(['card_id', 'user_id'])
        .doUpdateSet({ watching: true, seq: (eb) => eb.ref('excluded.seq') })
        .where('card_watchers.seq', '<', (eb) => eb.ref('excluded.seq')),
    )
    .execute();
}

export interface NewInboxRow {
  user_id: string;
  board_id: string;
  card_id: string;
  kind: string;
  event_seq: number;
  actor_id: string | null;
  actor_label: string;
  summary: string;
  changes: number;
  happened_at: string;
}

/**
 * Writes notifications. Direct ones (assigned, mentioned …) are one row per person, card and event.
 * Watching ones fold into the person's unread row for the card, if there is one: its summary and
 * time become the latest change's and it counts the changes (an event already folded in is not
 * folded again).
 */
export async function writeNotifications(trx: Transaction<Database>, rows: NewInboxRow[]): Promise<void> {
  const direct = rows.filter((r) => r.kind !== 'watching');
  const watching = rows.filter((r) => r.kind === 'watching');
  if (direct.length > 0) await sql`${insertRows(direct)} on conflict do nothing`.execute(trx);
  if (watching.length > 0)
    await sql`${insertRows(watching)}
      on conflict (user_id, card_id) where kind = 'watching' and read_at is null
      do update set event_seq = excluded.event_seq, actor_id = excluded.actor_id,
        actor_label = excluded.actor_label, summary = excluded.summary,
        changes = inbox_notifications.changes + excluded.changes, happened_at = excluded.happened_at,
        touched = nextval('inbox_touch_seq')
      where inbox_notifications.event_seq < excluded.event_seq`.execute(trx);
}

function insertRows(rows: NewInboxRow[]) {
  const col = <K extends keyof NewInboxRow>(k: K) => rows.map((r) => r[k]);
  return sql`insert into inbox_notifications
      (user_id, board_id, card_id, kind, event_seq, actor_id, actor_label, summary, changes, happened_at)
    select * from unnest(${col('user_id')}::uuid[], ${col('board_id')}::uuid[], ${col('card_id')}::uuid[],
      ${col('kind')}::text[], ${col('event_seq')}::bigint[], ${col('actor_id')}::uuid[],
      ${col('actor_label')}::text[], ${col('summary')}::text[], ${col('changes')}::int[],
      ${col('happened_at')}::timestamptz[])`;
}

// ---- Reading one's own inbox ---------------------------------------------------------------------

/** A notification is shown while its person may still read its board. */
function visible(
  eb: ExpressionBuilder<Database & { n: Database['inbox_notifications'] }, 'n'>,
  isAdmin: boolean,
) {
  if (isAdmin) return eb.lit(true);
  return eb.exists(
    eb
      .selectFrom('board_members as m')
      .select('m.user_id')
      .whereRef('m.board_id', '=', 'n.board_id')
      .whereRef('m.user_id', '=', 'n.user_id'),
  );
}

export async function listFor(
  db: Q,
  me: { userId: string; isAdmin: boolean },
  opts: { unreadOnly: boolean; before: number | null; limit: number },
) {
  return db
    .selectFrom('inbox_notifications as n')
    .innerJoin('cards as c', 'c.id', 'n.card_id')
    .innerJoin('boards as b', 'b.id', 'n.board_id')
    .select([
      'n.id',
      'n.kind',
      'n.board_id',
      'b.name as board_name',
      'n.card_id',
      'c.key as card_key',
      'c.title as card_title',
      'n.actor_label',
      'n.summary',
      'n.changes',
      'n.happened_at',
      'n.read_at',
      'n.touched',
    ])
    .where('n.user_id', '=', me.userId)
    .where((eb) => visible(eb, me.isAdmin))
    .$if(opts.unreadOnly, (q) => q.where('n.read_at', 'is', null))
    .$if(opts.before !== null, (q) => q.where('n.touched', '<', opts.before as number))
    .orderBy('n.touched', 'desc')
    .limit(opts.limit)
    .execute();
}

export async function unreadCount(db: Q, me: { userId: string; isAdmin: boolean }): Promise<number> {
  const row = await db
    .selectFrom('inbox_notifications as n')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('n.user_id', '=', me.userId)
    .where('n.read_at', 'is', null)
    .where((eb) => visible(eb, me.isAdmin))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Unread counts of several people at once (after the follower told them something). */
export async function unreadCounts(db: Q, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await sql<{ user_id: string; unread: string }>`
    select u.id as user_id, (
      select count(*) from inbox_notifications n
      where n.user_id = u.id and n.read_at is null
        and (u.is_admin or exists (
          select 1 from board_members m where m.board_id = n.board_id and m.user_id = n.user_id))
    ) as unread
    from users u where u.id = any(${userIds}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.user_id, Number(r.unread)]));
}

/** Marks one of the person's notifications read; false when they have no such notification. */
export async function markRead(db: Q, userId: string, id: string): Promise<boolean> {
  const row = await db
    .updateTable('inbox_notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function markAllRead(db: Q, userId: string): Promise<void> {
  await db
    .updateTable('inbox_notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
}

// ---- Watching ------------------------------------------------------------------------------------

export async function cardOnBoard(db: Q, boardId: string, cardId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cards')
    .select('id')
    .where('id', '=', cardId)
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function isWatching(db: Q, cardId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('card_watchers')
    .select('watching')
    .where('card_id', '=', cardId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.watching ?? false;
}

/** The person's own choice, made at the board's sequence now: events up to it cannot undo it. */
export async function setWatching(db: Q, boardId: string, cardId: string, userId: string, watching: boolean) {
  await sql`
    insert into card_watchers (card_id, user_id, watching, seq)
    select ${cardId}, ${userId}, ${watching}, b.seq from boards b where b.id = ${boardId}
    on conflict (card_id, user_id) do update set watching = excluded.watching,
      seq = greatest(card_watchers.seq, excluded.seq)`.execute(db);
}
