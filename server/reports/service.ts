/** Reports: velocity over the last sprints, burndown of a sprint, Kanban flow (CFD, cycle and lead times). */

import { sql } from 'kysely';
import type { Burndown, Card, FlowReport, Velocity } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { type CardPlacementEvent, cumulativeFlow, cycleAndLead, lastDays } from '../domain/flow-metrics.ts';
import { burndown } from '../domain/sprint.ts';
import type { Db } from '../infra/database.ts';
import { invalid, notFound } from '../infra/errors.ts';

/**
 * The card placements the flow diagram replays from `from` on: each card's place just before `from`
 * (its last placement event), then every placement event after it. PostgreSQL reads the places out of
 * the events' payloads (a moved card carries its column), so only (time, card, column) rows reach
 * Node, and events before the window collapse to one row per card.
 */
async function placementsFrom(db: Db, boardId: string, from: Date): Promise<CardPlacementEvent[]> {
  const { rows } = await sql<{ at: Date; card_id: string; column_id: string | null }>`
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
    ),
    before_window as (
      select distinct on (card_id) seq, ${from}::timestamptz as at, card_id, column_id
      from placed where at < ${from} order by card_id, seq desc
    )
    select at, card_id, column_id from (
      select * from before_window
      union all
      select seq, at, card_id, column_id from placed where at >= ${from}
    ) r
    order by at, seq`.execute(db);
  return rows.map((r) => ({ at: r.at, placements: [{ cardId: r.card_id, columnId: r.column_id }] }));
}

export class ReportService {
  constructor(private readonly db: Db) {}

  async velocity(actor: Actor, boardId: string, last = 6): Promise<Velocity> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await this.db
      .selectFrom('sprints')
      .select(['id', 'name', 'committed_points', 'completed_points'])
      .where('board_id', '=', boardId)
      .where('state', '=', 'completed')
      .orderBy('completed_at', 'desc')
      .limit(last)
      .execute();
    return rows.reverse().map((r) => ({
      sprintId: r.id,
      name: r.name,
      committed: Number(r.committed_points ?? 0),
      completed: Number(r.completed_points ?? 0),
    }));
  }

  async burndown(actor: Actor, boardId: string, sprintId: string, now = new Date()): Promise<Burndown> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const sprint = await this.db
      .selectFrom('sprints')
      .selectAll()
      .where('id', '=', sprintId)
      .where('board_id', '=', boardId)
      .executeTakeFirst();
    if (!sprint) throw notFound('sprint');
    if (!sprint.start_date || !sprint.end_date) throw invalid('sprintId', 'the sprint has not started');
    const items = await this.db
      .selectFrom('cards')
      .select(['estimate', 'done_at'])
      .where('sprint_id', '=', sprintId)
      .execute();
    // A completed sprint's unfinished items have left it (backlog or next sprint); the completion
    // event lists them, so they still count as remaining work of this sprint.
    const carried: { estimate: number | null; doneAt: null }[] = [];
    if (sprint.state === 'completed') {
      const completion = await this.db
        .selectFrom('board_events')
        .select('payload')
        .where('board_id', '=', boardId)
        .where('type', '=', 'sprint.completed')
        .where(sql<boolean>`payload -> 'sprint' ->> 'id' = ${sprintId}`)
        .executeTakeFirst();
      for (const c of (completion?.payload as { cards?: Card[] } | undefined)?.cards ?? []) {
        carried.push({ estimate: c.estimate, doneAt: null });
      }
    }
    const chart = burndown(
      sprint.start_date,
      sprint.end_date,
      [
        ...items.map((i) => ({
          estimate: i.estimate === null ? null : Number(i.estimate),
          doneAt: i.done_at,
        })),
        ...carried,
      ],
      sprint.completed_at ?? now,
    );
    return { sprintId, ...chart };
  }

  async flow(actor: Actor, boardId: string, days = 14, now = new Date()): Promise<FlowReport> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const columns = await this.db
      .selectFrom('board_columns')
      .select(['id', 'name'])
      .where('board_id', '=', boardId)
      .where('stream', '=', 'maintenance')
      .orderBy('position')
      .execute();
    const window = lastDays(days, now);
    const replay = await placementsFrom(this.db, boardId, new Date(`${window[0]}T00:00:00.000Z`));
    const cards = await this.db
      .selectFrom('cards')
      .select(['id', 'key', 'created_at', 'started_at', 'done_at'])
      .where('board_id', '=', boardId)
      .where('stream', '=', 'maintenance')
      .where('done_at', 'is not', null)
      .orderBy('done_at', 'desc')
      .limit(200)
      .execute();
    return {
      columns,
      cumulativeFlow: cumulativeFlow(
        replay,
        columns.map((c) => c.id),
        window,
      ),
      items: cards.map((c) => ({
        cardId: c.id,
        key: c.key,
        ...cycleAndLead({ createdAt: c.created_at, startedAt: c.started_at, doneAt: c.done_at }),
      })),
    };
  }
}
