/**
 * The SQL behind the reports. Each statement returns a bounded number of rows whatever the board
 * holds (one per shown day, per day and column, or per listed sprint or item): PostgreSQL does the
 * counting and summing, so neither the server's memory nor its event loop grows with the history.
 */
import { sql } from 'kysely';
import type { Db } from '../infra/database.ts';

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
  const { rows } = await sql<{ day: string; committed: string; burnt: string }>`
    with items as (
      select estimate, done_at from cards where sprint_id = ${sprintId}
      union all
      select (c ->> 'estimate')::numeric, null
      from board_events e cross join lateral jsonb_array_elements(e.payload -> 'cards') c
      where e.board_id = ${boardId} and e.type = 'sprint.completed' and e.payload -> 'sprint' ->> 'id' = ${sprintId}
    ),
    done as (
      select (done_at at time zone 'UTC')::date as day, sum(estimate) as points
      from items where done_at is not null and estimate is not null group by 1
    )
    select g.day::date::text as day,
           (select coalesce(sum(estimate), 0) from items) as committed,
           (select coalesce(sum(points), 0) from done where done.day <= g.day::date) as burnt
    from generate_series(${from}::date, ${to}::date, interval '1 day') g(day)
    order by g.day`.execute(db);
  return {
    committed: Number(rows[0]?.committed ?? 0),
    burntBy: new Map(rows.map((r) => [r.day, Number(r.burnt)])),
  };
}

/**
 * Cumulative flow: how many cards sat in each of `columnIds` at the end of each day from `from` to
 * `to` (UTC). PostgreSQL reads each card's column out of the events' payloads (a moved card carries
 * its column), turns each card's history into spans (a place, until the card's next event), clips
 * the spans to the window and counts them with +1 on a span's first day and -1 after its last:
 * the answer is one row per day and column, however many events the board has.
 */
export async function cumulativeFlowCounts(
  db: Db,
  boardId: string,
  columnIds: readonly string[],
  from: string,
  to: string,
): Promise<{ day: string; columnId: string; cards: number }[]> {
  if (columnIds.length === 0) return [];
  const { rows } = await sql<{ day: string; column_id: string; cards: string }>`
    with placed as (
      select e.seq, e.created_at as at, p.card_id, p.column_id
      from board_events e
      cross join lateral (
        select c ->> 'id' as card_id, c ->> 'columnId' as column_id
        from jsonb_array_elements(coalesce(e.payload -> 'cards', jsonb_build_array(e.payload -> 'card'))) c
        where e.type <> 'card.deleted' and c ->> 'id' is not null
        union all
        select e.payload ->> 'cardId', null where e.type = 'card.deleted'
      ) p
      where e.board_id = ${boardId}
        and e.type in ('card.created', 'card.moved', 'card.updated', 'card.deleted', 'cards.moved',
                       'sprint.started', 'sprint.completed')
        and e.created_at < (${to}::date + 1)::timestamp at time zone 'UTC'
    ),
    spans as (
      select column_id, at, lead(at) over (partition by card_id order by seq) as until
      from placed
    ),
    counted as (
      -- a span counts at the end of each day from the day it began to the last day it outlived
      select column_id,
             greatest((at at time zone 'UTC')::date, ${from}::date) as first_day,
             least(coalesce(((until - interval '1 day') at time zone 'UTC')::date, ${to}::date), ${to}::date) as last_day
      from spans
      where column_id = any(${columnIds as string[]}::text[])
    ),
    changes as (
      select column_id, day, sum(delta) as delta from (
        select column_id, first_day as day, 1 as delta from counted where first_day <= last_day
        union all
        select column_id, last_day + 1, -1 from counted where first_day <= last_day and last_day < ${to}::date
      ) d
      group by column_id, day
    )
    select g.day::date::text as day, c.id as column_id,
           sum(coalesce(ch.delta, 0)) over (partition by c.id order by g.day) as cards
    from generate_series(${from}::date, ${to}::date, interval '1 day') g(day)
    cross join unnest(${columnIds as string[]}::text[]) c(id)
    left join changes ch on ch.day = g.day::date and ch.column_id = c.id
    order by g.day`.execute(db);
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
