/**
 * The SQL behind the reports. Each statement returns a bounded number of rows whatever the board
 * holds (one per shown day, per day and column, or per listed sprint or item): PostgreSQL does the
 * counting and summing, so neither the server's memory nor its event loop grows with the history.
 */
import { sql } from 'kysely';
import type { BoardEventPayload, BoardEventType } from '../../protocol/events.ts';
import type { Card, Sprint } from '../../protocol/model.ts';
import type { Db } from '../infra/database.ts';

/**
 * The event kinds and payload keys these statements read, as SQL literals checked against the event
 * union (protocol/events.ts): renaming a kind or a payload field fails the build here. Literals, not
 * parameters, so the partial indexes on `type` and `payload -> 'sprint' ->> 'id'` still apply.
 */
const kind = (type: BoardEventType) => sql.lit(type);
const key = <T>(name: keyof T & string) => sql.lit(name);
type Moved = BoardEventPayload<'card.moved'>;
/** The kinds whose payload's `card` says where the card is after the event. */
type Placing = BoardEventPayload<'card.created' | 'card.moved' | 'card.updated'>;
type Completed = BoardEventPayload<'sprint.completed'>;
type CardsMoved = BoardEventPayload<'cards.moved'>;

/**
 * Runs a report's statement without PostgreSQL's JIT: these statements are planned as costly (a
 * long event log) but run once per request, and compiling them took longer than running them.
 */
function reportQuery<T>(db: Db, query: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    return query(trx);
  });
}

/** Dates far outside the calendar (stored before dates were checked) come back inside what a JavaScript Date reads. */
const clampDate = (column: string) =>
  sql<string>`least(greatest(${sql.ref(column)}, date '0001-01-01'), date '9999-12-31')::text`;

export async function sprintForReport(db: Db, boardId: string, sprintId: string) {
  return db
    .selectFrom('sprints')
    .select([
      'state',
      'completed_at',
      clampDate('start_date').as('start_date'),
      clampDate('end_date').as('end_date'),
    ])
    .where('id', '=', sprintId)
    .where('board_id', '=', boardId)
    .executeTakeFirst();
}

/**
 * The sprint's committed points and, for each day from `from` to `to` (at most a sprint's length),
 * the points done by the end of that day (UTC). A completed sprint's unfinished items have left it
 * (backlog or next sprint); its completion event lists them, so they still count as committed.
 */
export async function burntPerDay(
  db: Db,
  boardId: string,
  sprintId: string,
  from: string,
  to: string,
): Promise<{ committed: number; burntBy: Map<string, number> }> {
  const { rows } = await reportQuery(db, (trx) =>
    sql<{ day: string; committed: string; burnt: string }>`
    with items as (
      select estimate, done_at from cards where sprint_id = ${sprintId}
      union all
      select (c ->> ${key<Card>('estimate')})::numeric, null
      from board_events e cross join lateral jsonb_array_elements(e.payload -> ${key<Completed>('cards')}) c
      where e.board_id = ${boardId} and e.type = ${kind('sprint.completed')}
        and e.payload -> ${key<Completed>('sprint')} ->> ${key<Sprint>('id')} = ${sprintId}
    ),
    done as materialized (  -- one row per day with work done, summed once (not once per shown day)
      select (done_at at time zone 'UTC')::date as day, sum(estimate) as points
      from items where done_at is not null and estimate is not null group by 1
    )
    select g.day::date::text as day,
           (select coalesce(sum(estimate), 0) from items) as committed,
           (select coalesce(sum(points), 0) from done where done.day <= g.day::date) as burnt
    from generate_series(${from}::date, ${to}::date, interval '1 day') g(day)
    order by g.day`.execute(trx),
  );
  return {
    committed: Number(rows[0]?.committed ?? 0),
    burntBy: new Map(rows.map((r) => [r.day, Number(r.burnt)])),
  };
}

/** Card events that place a card: their payload's card (or `cards`) carries its column after the event. */
const PLACING = sql`(${sql.join(
  (['card.created', 'card.moved', 'card.updated', 'card.deleted'] as const).map(kind),
)})`;

/**
 * Cumulative flow: how many cards sat in each of `columnIds` at the end of each day from `from` to
 * `to` (UTC), read over the window only, never the history before it. The count now comes from the
 * cards themselves; the window's events are rewound from there: a day's count is today's, minus the
 * cards that entered the column after that day, plus those that left it. A move names where the
 * card was (`from`); for the rare event that does not (a delete, a hand-over to the other stream) the
 * card's previous placement is one index lookup. The window's first event is found by a binary
 * search over the sequence numbers (their times follow commit order), so the cost follows the
 * window's events and the board's cards, and the answer is one row per day and column.
 */
export async function cumulativeFlowCounts(
  db: Db,
  boardId: string,
  columnIds: readonly string[],
  from: string,
  to: string,
): Promise<{ day: string; columnId: string; cards: number }[]> {
  if (columnIds.length === 0) return [];
  const columns = sql`${columnIds as string[]}::text[]`;
  // Searched from a day before the window: an event read in excess changes no count, one missed would,
  // and commit order only roughly follows the clock.
  const searchFrom = sql`(${from}::date - 1)::timestamp at time zone 'UTC'`;
  const { rows } = await reportQuery(db, (trx) =>
    sql<{ day: string; column_id: string; cards: string }>`
    with recursive search(lo, hi) as (
      -- lo: the last event before the window (or 0); every event after hi is in the window
      select 0::bigint, (select seq from boards where id = ${boardId})
      union all
      select case when b.before then (lo + hi + 1) / 2 else lo end,
             case when b.before then hi else (lo + hi + 1) / 2 - 1 end
      from search cross join lateral (
        select coalesce((select e.created_at < ${searchFrom} from board_events e
                         where e.board_id = ${boardId} and e.seq = (search.lo + search.hi + 1) / 2), false) as before
      ) b
      where lo < hi
    ),
    window_start as (select max(lo) as seq from search),
    placed as (
      select e.seq, e.created_at as at, e.card_id, e.type,
             case when e.type <> ${kind('card.deleted')} then e.payload -> ${key<Placing>('card')} ->> ${key<Card>('columnId')} end as to_col,
             e.payload -> ${key<Moved>('from')} ->> ${key<Moved['from']>('columnId')} as from_col
      from board_events e
      where e.board_id = ${boardId} and e.seq > (select seq from window_start)
        and e.card_id is not null and e.type in ${PLACING}
      union all
      select e.seq, e.created_at, (c ->> ${key<Card>('id')})::uuid, e.type, c ->> ${key<Card>('columnId')}, null
      from board_events e cross join lateral jsonb_array_elements(e.payload -> ${key<CardsMoved>('cards')}) c
      where e.board_id = ${boardId} and e.seq > (select seq from window_start) and e.type = ${kind('cards.moved')}
    ),
    moves as (
      select (at at time zone 'UTC')::date as day, to_col,
        case when type = ${kind('card.moved')} then from_col
             when type = ${kind('card.created')} then null
             -- an edit or a bulk move keeps the column unless it hands the card to the other stream
             when type in (${kind('card.updated')}, ${kind('cards.moved')}) and to_col is not null then to_col
             else (
               select p.col from (
                 (select seq, case when type <> ${kind('card.deleted')} then payload -> ${key<Placing>('card')} ->> ${key<Card>('columnId')} end as col
                  from board_events
                  where card_id = placed.card_id and seq < placed.seq and type in ${PLACING}
                  order by seq desc limit 1)
                 union all
                 (select b.seq, c ->> ${key<Card>('columnId')}
                  from board_events b cross join lateral jsonb_array_elements(b.payload -> ${key<CardsMoved>('cards')}) c
                  where b.board_id = ${boardId} and b.type = ${kind('cards.moved')} and b.seq < placed.seq
                    and c ->> ${key<Card>('id')} = placed.card_id::text
                  order by b.seq desc limit 1)
               ) p
               order by p.seq desc limit 1)
        end as from_col
      from placed
    ),
    net as (
      select day, v.col, sum(v.n) as n
      from moves cross join lateral (values (to_col, 1), (from_col, -1)) v(col, n)
      where v.col = any(${columns})
      group by day, v.col
    ),
    now_in as (
      select column_id::text as col, count(*) as n from cards
      where board_id = ${boardId} and column_id = any(${columns}::uuid[])
      group by column_id
    )
    select g.day::date::text as day, c.id as column_id,
           coalesce((select n from now_in where now_in.col = c.id), 0)
             - coalesce(sum(coalesce(net.n, 0)) over (partition by c.id order by g.day desc
                                                       rows between unbounded preceding and 1 preceding), 0) as cards
    from generate_series(${from}::date, ${to}::date, interval '1 day') g(day)
    cross join unnest(${columns}) c(id)
    left join net on net.day = g.day::date and net.col = c.id
    order by g.day`.execute(trx),
  );
  return rows.map((r) => ({ day: r.day, columnId: r.column_id, cards: Number(r.cards) }));
}

export async function maintenanceColumns(db: Db, boardId: string) {
  return db
    .selectFrom('board_columns')
    .select(['id', 'name'])
    .where('board_id', '=', boardId)
    .where('stream', '=', 'maintenance')
    .orderBy('position')
    .execute();
}

/** The latest finished maintenance items, newest first. */
export async function finishedItems(db: Db, boardId: string, limit: number) {
  return db
    .selectFrom('cards')
    .select(['id', 'key', 'created_at', 'started_at', 'done_at'])
    .where('board_id', '=', boardId)
    .where('stream', '=', 'maintenance')
    .where('done_at', 'is not', null)
    .orderBy('done_at', 'desc')
    .limit(limit)
    .execute();
}

/** The last `limit` completed sprints, newest first. */
export async function completedSprints(db: Db, boardId: string, limit: number) {
  return db
    .selectFrom('sprints')
    .select(['id', 'name', 'committed_points', 'completed_points'])
    .where('board_id', '=', boardId)
    .where('state', '=', 'completed')
    .orderBy('completed_at', 'desc')
    .limit(limit)
    .execute();
}
