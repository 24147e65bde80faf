/**
 * Release outcomes (issue 17): the maturity metrics of the board's latest live releases, read in one
 * bounded statement (at most OUTCOME_RELEASES releases, a window of at most OUTCOME_WINDOW_DAYS.max
 * days) and shaped by the pure rules in server/domain/release-outcomes.ts.
 */
import {
  type CostModelInput,
  OUTCOME_RELEASES,
  OUTCOME_WINDOW_DAYS,
  type ReleaseOutcomes,
} from '../../protocol/release-outcomes.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { reviewsPerQuarter } from '../domain/improvement.ts';
import { type CostModel, outcomes, outcomesCsv } from '../domain/release-outcomes.ts';
import * as improvementRepo from '../improvement/repo.ts';
import type { Db } from '../infra/database.ts';
import { invalid } from '../infra/errors.ts';
import { ReportSlots } from '../reports/slots.ts';
import * as repo from './outcomes-repo.ts';

/** Outcome statements running at once, per server: a burst queues instead of taking the pool. */
const OUTCOME_SLOTS = 4;

export class ReleaseOutcomeService {
  readonly #slots = new ReportSlots(OUTCOME_SLOTS);

  constructor(private readonly db: Db) {}

  /** The window asked for: absent gives the default, 0 is refused, past the maximum gives the maximum. */
  static windowDays(asked: string | undefined): number {
    if (asked === undefined) return OUTCOME_WINDOW_DAYS.default;
    const days = Number(asked);
    if (!Number.isInteger(days) || days < 1)
      throw invalid('windowDays', 'must be a whole number of days, at least 1');
    return Math.min(days, OUTCOME_WINDOW_DAYS.max);
  }

  async report(
    actor: Actor,
    boardId: string,
    windowDays: number,
    now = new Date(),
  ): Promise<ReleaseOutcomes> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const [model, reviews] = await Promise.all([
      repo.costModel(this.db, boardId),
      improvementRepo.reviewDates(this.db, boardId),
    ]);
    const facts = await this.#slots.run(() =>
      repo.outcomeFacts(this.db, boardId, windowDays, OUTCOME_RELEASES, now),
    );
    // the same rule the review panel counts by: how often the procedure is reviewed is a metric too
    const reviewsHeld = reviewsPerQuarter(
      reviews.flatMap((r) => (r.held_at ? [r.held_at] : [])),
      now.toISOString().slice(0, 10),
    );
    return { windowDays, costModel: model, ...outcomes(model, facts), reviewsHeld };
  }

  /** The board's cost model (the default until someone sets one). */
  async costModel(actor: Actor, boardId: string): Promise<CostModel> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return repo.costModel(this.db, boardId);
  }

  /** Sets the board's cost model: every report from now on costs releases by it. */
  async saveCostModel(actor: Actor, boardId: string, input: CostModelInput): Promise<CostModel> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const model: CostModel = { ...input };
    await repo.saveCostModel(this.db, boardId, model);
    return repo.costModel(this.db, boardId);
  }

  async csv(actor: Actor, boardId: string, windowDays: number, now = new Date()): Promise<string> {
    return outcomesCsv((await this.report(actor, boardId, windowDays, now)).releases);
  }
}
