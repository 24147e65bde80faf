/**
 * Reports: velocity over the last sprints, burndown of a sprint, Kanban flow (CFD, cycle and lead
 * times). Each is bounded whatever the data: at most VELOCITY_SPRINTS sprints, MAX_SPRINT_DAYS
 * burndown days, MAX_FLOW_DAYS flow days and FLOW_ITEMS finished items, counted in PostgreSQL.
 */
import type { Burndown, FlowReport, Velocity } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { cycleAndLead, lastDays } from '../domain/flow-metrics.ts';
import { burndown, burndownWindow } from '../domain/sprint.ts';
import type { Db } from '../infra/database.ts';
import { invalid, notFound } from '../infra/errors.ts';
import * as repo from './repo.ts';
import { ReportSlots } from './slots.ts';

/** Velocity shows the last this many completed sprints. */
export const VELOCITY_SPRINTS = 6;
/** The cumulative flow diagram covers at most this many days (the route's `days`). */
export const MAX_FLOW_DAYS = 90;
/** Cycle and lead times of the latest this many finished maintenance items. */
export const FLOW_ITEMS = 200;
/** Burndown and flow statements running at once, per server (the pool has 20 connections). */
export const REPORT_SLOTS = 4;

export class ReportService {
  readonly #slots = new ReportSlots(REPORT_SLOTS);

  constructor(private readonly db: Db) {}

  async velocity(actor: Actor, boardId: string): Promise<Velocity> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await repo.completedSprints(this.db, boardId, VELOCITY_SPRINTS);
    return rows.reverse().map((r) => ({
      sprintId: r.id,
      name: r.name,
      committed: Number(r.committed_points ?? 0),
      completed: Number(r.completed_points ?? 0),
    }));
  }

  async burndown(actor: Actor, boardId: string, sprintId: string, now = new Date()): Promise<Burndown> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const sprint = await repo.sprintForReport(this.db, boardId, sprintId);
    if (!sprint) throw notFound('sprint');
    if (!sprint.start_date || !sprint.end_date) throw invalid('sprintId', 'the sprint has not started');
    const window = burndownWindow(sprint.start_date, sprint.end_date, sprint.completed_at ?? now);
    const { committed, burntBy } = await this.#slots.run(() =>
      repo.burntPerDay(this.db, boardId, sprintId, window.from, window.to),
    );
    return { sprintId, ...burndown(window, committed, burntBy, now) };
  }

  async flow(actor: Actor, boardId: string, days = 14, now = new Date()): Promise<FlowReport> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const columns = await repo.maintenanceColumns(this.db, boardId);
    const window = lastDays(Math.max(1, Math.min(days, MAX_FLOW_DAYS)), now);
    const counts = await this.#slots.run(() =>
      repo.cumulativeFlowCounts(
        this.db,
        boardId,
        columns.map((c) => c.id),
        window[0]!,
        window.at(-1)!,
      ),
    );
    const byDay = new Map(window.map((date) => [date, Object.fromEntries(columns.map((c) => [c.id, 0]))]));
    for (const c of counts) byDay.get(c.day)![c.columnId] = c.cards;
    const cards = await repo.finishedItems(this.db, boardId, FLOW_ITEMS);
    return {
      columns,
      cumulativeFlow: window.map((date) => ({ date, counts: byDay.get(date)! })),
      items: cards.map((c) => ({
        cardId: c.id,
        key: c.key,
        ...cycleAndLead({ createdAt: c.created_at, startedAt: c.started_at, doneAt: c.done_at }),
      })),
    };
  }
}
