/**
 * Service reports (issue 20): per month or quarter, SLA attainment and incidents per tier, mean time
 * to acknowledge and to restore, requests fulfilled and their satisfaction, backlog age; and the
 * quarterly SLA review minutes shown beside them. A report is bounded whatever the data: at most
 * MAX_PERIODS periods, counted in PostgreSQL (server/service-reports/repo.ts) into at most periods ×
 * tiers rows, a few statements at a time per server (ReportSlots).
 */
import type {
  ReportPeriod,
  ServiceReport,
  ServiceReportParams,
  SlaReview,
  SlaReviewInput,
  SlaReviewUpdate,
} from '../../protocol/service-report.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import {
  checkReview,
  quartersOf,
  reportPeriods,
  reportZone,
  serviceReport,
  serviceReportCsv,
} from '../domain/service-report.ts';
import { DEFAULT_SLA } from '../domain/sla.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { SlaReviewRow } from '../infra/schema.ts';
import { ReportSlots } from '../reports/slots.ts';
import { documentOf } from '../sla/repo.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';

/** Service report statements running at once, per server: a burst queues instead of taking the pool. */
const REPORT_SLOTS = 4;
/** The review list shows the latest this many quarters. */
export const REVIEW_LIST = 40;

export function toReview(row: SlaReviewRow): SlaReview {
  return {
    id: row.id,
    boardId: row.board_id,
    quarter: row.quarter,
    heldOn: row.held_on,
    attendees: row.attendees as string[],
    minutes: row.minutes,
    actions: row.actions as SlaReview['actions'],
    revision: row.revision,
    updatedAt: row.updated_at.toISOString(),
  };
}

function valuesOf(input: SlaReviewInput): repo.ReviewValues {
  const refusal = checkReview(input);
  if (refusal) throw invalid(refusal.field, refusal.message);
  return {
    quarter: input.quarter,
    held_on: input.heldOn,
    attendees: JSON.stringify(input.attendees.map((a) => a.trim())),
    minutes: input.minutes,
    actions: JSON.stringify(input.actions.map((a) => ({ ...a, text: a.text.trim(), owner: a.owner.trim() }))),
  };
}

const quarterHeld = (quarter: string) =>
  new AppError('CONFLICT', `quarter: the SLA review of ${quarter} is already recorded; edit it`, {
    field: 'quarter',
  });

export class ServiceReportService {
  readonly #slots = new ReportSlots(REPORT_SLOTS);

  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async report(
    actor: Actor,
    boardId: string,
    query: ServiceReportParams,
    now = new Date(),
  ): Promise<ServiceReport> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const period: ReportPeriod = query.period ?? 'month';
    const zone = reportZone((await documentOf(this.db, boardId))?.document ?? DEFAULT_SLA);
    const periods = reportPeriods(period, zone, now, query.from, query.to);
    if (!Array.isArray(periods)) throw invalid(periods.field, periods.message);
    const bounds = [...periods.map((p) => p.start.toJSDate()), periods.at(-1)!.end.toJSDate()];
    // The backlog of a period is taken at its end, or now while it runs; none before it begins.
    const backlogAt = periods.map((p) =>
      p.start.toMillis() > now.getTime() ? null : new Date(Math.min(p.end.toMillis(), now.getTime())),
    );
    const facts = await this.#slots.run(() => repo.serviceFacts(this.db, boardId, bounds, backlogAt));
    const reviews = (await repo.reviewsOf(this.db, boardId, quartersOf(periods))).map(toReview);
    return serviceReport(period, zone, periods, facts, reviews);
  }

  async csv(actor: Actor, boardId: string, query: ServiceReportParams, now = new Date()): Promise<string> {
    return serviceReportCsv(await this.report(actor, boardId, query, now));
  }

  async reviews(actor: Actor, boardId: string): Promise<SlaReview[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return (await repo.latestReviews(this.db, boardId, REVIEW_LIST)).map(toReview);
  }

  async createReview(actor: Actor, boardId: string, input: SlaReviewInput): Promise<SlaReview> {
    await requireBoardPermission(this.db, actor, boardId, 'sla:review');
    const values = valuesOf(input);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.insertReview(trx, boardId, actor.userId, values);
      if (!row) throw quarterHeld(input.quarter);
      const review = toReview(row);
      await record({
        boardId,
        type: 'sla.review_changed',
        cardId: null,
        actor,
        payload: { reviewId: review.id, quarter: review.quarter, review },
      });
      return review;
    });
  }

  /** An edit made on an older revision is refused (409 naming `revision`): of two edits, one wins. */
  async updateReview(actor: Actor, boardId: string, id: string, input: SlaReviewUpdate): Promise<SlaReview> {
    await requireBoardPermission(this.db, actor, boardId, 'sla:review');
    const { revision, ...edit } = input;
    const values = valuesOf(edit);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockReview(trx, boardId, id);
      if (!row) throw notFound('SLA review');
      if (row.revision !== revision)
        throw new AppError(
          'STALE_VERSION',
          `revision: the review is at revision ${row.revision}; reload it`,
          {
            field: 'revision',
            revision: row.revision,
          },
        );
      if (edit.quarter !== row.quarter && (await repo.quarterTaken(trx, boardId, edit.quarter, id)))
        throw quarterHeld(edit.quarter);
      const review = toReview(await repo.updateReview(trx, id, values));
      await record({
        boardId,
        type: 'sla.review_changed',
        cardId: null,
        actor,
        payload: { reviewId: id, quarter: review.quarter, review },
      });
      return review;
    });
  }

  async deleteReview(actor: Actor, boardId: string, id: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'sla:review');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockReview(trx, boardId, id);
      if (!row) throw notFound('SLA review');
      await repo.deleteReview(trx, id);
      await record({
        boardId,
        type: 'sla.review_changed',
        cardId: null,
        actor,
        payload: { reviewId: id, quarter: row.quarter, review: null },
      });
    });
  }
}
