/** Reports: velocity over the last sprints, burndown of a sprint, Kanban flow (CFD, cycle and lead times). */

import { sql } from 'kysely';
import type { Burndown, Card, FlowReport, Velocity } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { type CardPlacementEvent, cumulativeFlow, cycleAndLead, lastDays } from '../domain/flow-metrics.ts';
import { burndown } from '../domain/sprint.ts';
import type { Db } from '../infra/database.ts';
import { invalid, notFound } from '../infra/errors.ts';

/** Where each card is after an event, read from the event's payload (cards carry their column). */
function placements(
  type: string,
  payload: Record<string, unknown>,
): { cardId: string; columnId: string | null }[] {
  if (type === 'card.deleted') return [{ cardId: String(payload.cardId), columnId: null }];
  const cards: Card[] = payload.card
    ? [payload.card as Card]
    : Array.isArray(payload.cards)
      ? (payload.cards as Card[])
      : [];
  return cards.map((c) => ({ cardId: c.id, columnId: c.columnId }));
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
    const events = await this.db
      .selectFrom('board_events')
      .select(['type', 'payload', 'created_at'])
      .where('board_id', '=', boardId)
      .where('type', 'in', [
        'card.created',
        'card.moved',
        'card.updated',
        'card.deleted',
        'cards.moved',
        'sprint.started',
        'sprint.completed',
      ])
      .orderBy('seq')
      .execute();
    const replay: CardPlacementEvent[] = events.map((e) => ({
      at: e.created_at,
      placements: placements(e.type, e.payload as Record<string, unknown>),
    }));
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
        lastDays(days, now),
      ),
      items: cards.map((c) => ({
        cardId: c.id,
        key: c.key,
        ...cycleAndLead({ createdAt: c.created_at, startedAt: c.started_at, doneAt: c.done_at }),
      })),
    };
  }
}
