/**
 * Review and improve (issue 17): the board's review cadence, reviews of the release procedure
 * (scheduled, then recorded with attendees, minutes and the releases reviewed) and the improvement
 * register they raise items into. Each use case checks access first; managers (product owner,
 * admin, the AMS lead) run it all, a developer updates the items they own, everyone reads. Every
 * change is decided under its row's lock by the pure rules in domain/improvement.ts and committed with
 * its typed board event (commitWithEvents), so open screens follow it live and catch up after.
 */
import type {
  CreateItemInput,
  CreateReviewInput,
  ImprovementItem,
  ImprovementOverview,
  ImprovementSettings,
  ImprovementSettingsInput,
  ImprovementStatus,
  ItemStatusInput,
  Review,
  UpdateItemInput,
  UpdateReviewInput,
} from '../../protocol/improvement.ts';
import { ITEM_LIMIT, REVIEW_LIMIT, type ReviewWarranty } from '../../protocol/improvement.ts';
import type { Role } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission, requireRole } from '../access/board-access.ts';
import { roleAllows } from '../access/permissions.ts';
import {
  checkHeldAt,
  checkRevision,
  DEFAULT_CADENCE_WEEKS,
  isClosed,
  isLate,
  mayDeleteReview,
  mayEditItem,
  type Refusal,
  readyToPlan,
  reviewSchedule,
  reviewsPerQuarter,
  targetMet,
  transition,
} from '../domain/improvement.ts';
import { readWarranty } from '../hypercare/warranty-service.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { ImprovementItemRow, ImprovementReviewRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';

const num = (v: string | null) => (v === null ? null : Number(v));
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const unique = <T>(list: readonly T[] | undefined) => (list ? [...new Set(list)] : undefined);

/** A refusal as the one error shape: stale → 409 STALE_VERSION, conflict → 409, otherwise 400. */
function refused(r: Refusal, extra: Record<string, unknown> = {}): AppError {
  if (r.field === 'revision')
    return new AppError('STALE_VERSION', `revision: ${r.message}`, { field: 'revision', ...extra });
  if (r.conflict) return new AppError('CONFLICT', `${r.field}: ${r.message}`, { field: r.field });
  return invalid(r.field, r.message);
}
const forbidden = (r: Refusal) => new AppError('FORBIDDEN', r.message, { field: r.field });

type ReviewDetails = Awaited<ReturnType<typeof repo.reviewDetails>>;
type ItemDetails = Awaited<ReturnType<typeof repo.itemDetails>>;

function toReview(row: ImprovementReviewRow, d: ReviewDetails): Review {
  return {
    id: row.id,
    boardId: row.board_id,
    title: row.title,
    scheduledOn: row.scheduled_on,
    heldAt: row.held_at ? row.held_at.toISOString() : null,
    attendees: d.attendees
      .filter((a) => a.review_id === row.id)
      .map((a) => ({ userId: a.user_id, name: a.name })),
    minutes: row.minutes,
    releases: d.releases
      .filter((r) => r.review_id === row.id)
      .map((r) => ({ releaseId: r.release_id, version: r.version })),
    revision: row.revision,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toItem(row: ImprovementItemRow, d: ItemDetails, today: string): ImprovementItem {
  const status = row.status as ImprovementStatus;
  const baseline = num(row.baseline_value);
  const target = num(row.target_value);
  const result = num(row.result_value);
  return {
    id: row.id,
    boardId: row.board_id,
    number: row.number,
    title: row.title,
    description: row.description,
    reviewId: row.review_id,
    owner: row.owner_id
      ? { userId: row.owner_id, name: d.owners.get(row.owner_id) ?? 'a former member' }
      : null,
    baseline: { text: row.baseline_text, value: baseline },
    target: { text: row.target_text, value: target },
    unit: row.unit,
    dueQuarter: row.due_quarter,
    status,
    result: row.result,
    resultValue: result,
    targetMet: status === 'done' ? targetMet(baseline, target, result) : null,
    late: isLate({ status, dueQuarter: row.due_quarter }, today),
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    releases: d.releases
      .filter((r) => r.item_id === row.id)
      .map((r) => ({ releaseId: r.release_id, version: r.version })),
    cards: d.cards
      .filter((c) => c.item_id === row.id)
      .map((c) => ({ cardId: c.card_id, key: c.key, title: c.title, type: c.type })),
    revision: row.revision,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const itemFacts = (row: ImprovementItemRow) => ({
  status: row.status as ImprovementStatus,
  revision: row.revision,
  ownerId: row.owner_id,
  dueQuarter: row.due_quarter,
  baseline: { text: row.baseline_text, value: num(row.baseline_value) },
  target: { text: row.target_text, value: num(row.target_value) },
  result: row.result,
});

export class ImprovementService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- reading -----------------------------------------------------------------------------------

  /** Everything the panel shows: cadence, schedule, reviews per quarter, reviews and the register. */
  async overview(actor: Actor, boardId: string): Promise<ImprovementOverview> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const today = dayOf(this.now());
    const [settings, dates, reviews, items] = await Promise.all([
      this.settingsOf(this.db, boardId),
      repo.reviewDates(this.db, boardId),
      repo.reviews(this.db, boardId, REVIEW_LIMIT),
      repo.items(this.db, boardId, {}, ITEM_LIMIT),
    ]);
    const facts = dates.map((r) => ({ scheduledOn: r.scheduled_on, heldAt: r.held_at }));
    return {
      settings,
      schedule: reviewSchedule({
        cadenceWeeks: settings.cadenceWeeks,
        since: settings.since,
        reviews: facts,
        today,
      }),
      reviewsPerQuarter: reviewsPerQuarter(
        facts.flatMap((r) => (r.heldAt ? [r.heldAt] : [])),
        today,
      ),
      reviews: await this.reviewsOf(this.db, reviews),
      items: await this.itemsOf(this.db, items),
    };
  }

  async reviews(actor: Actor, boardId: string): Promise<Review[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.reviewsOf(this.db, await repo.reviews(this.db, boardId, REVIEW_LIMIT));
  }

  async review(actor: Actor, boardId: string, reviewId: string): Promise<Review> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.findReview(this.db, boardId, reviewId);
    if (!row) throw notFound('review');
    return (await this.reviewsOf(this.db, [row]))[0]!;
  }

  /**
   * The warranty of each release the review lists, as hyper-care measured it: the verdict per
   * requirement is the warranty rule's (met / not met / not measured on the latest measurement).
   */
  async reviewWarranty(actor: Actor, boardId: string, reviewId: string): Promise<ReviewWarranty> {
    const review = await this.review(actor, boardId, reviewId);
    const now = new Date();
    const releases = await Promise.all(
      review.releases.map(async ({ releaseId, version }) => {
        const w = await readWarranty(this.db, releaseId, now);
        return {
          releaseId,
          version,
          requirements: w.requirements.map((r) => {
            const m = r.measurements[0];
            return {
              id: r.id,
              category: r.category,
              statement: r.statement,
              target: r.target,
              measured: m ? { value: m.value, measuredAt: m.measuredAt } : null,
              status: r.status,
            };
          }),
          summary: w.summary,
        };
      }),
    );
    return { reviewId, releases };
  }

  async items(actor: Actor, boardId: string, filter: { status?: string; quarter?: string }) {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.itemsOf(this.db, await repo.items(this.db, boardId, filter, ITEM_LIMIT));
  }

  async item(actor: Actor, boardId: string, itemId: string): Promise<ImprovementItem> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.findItem(this.db, boardId, itemId);
    if (!row) throw notFound('improvement item');
    return (await this.itemsOf(this.db, [row]))[0]!;
  }

  // ---- the cadence -------------------------------------------------------------------------------

  async putSettings(
    actor: Actor,
    boardId: string,
    input: ImprovementSettingsInput,
  ): Promise<ImprovementSettings> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.saveSettings(trx, boardId, input.cadenceWeeks, dayOf(this.now()));
      const settings = { cadenceWeeks: row.cadence_weeks, since: row.since, custom: true };
      await record({
        boardId,
        type: 'improvement.settings_changed',
        cardId: null,
        actor,
        payload: { settings },
      });
      return settings;
    });
  }

  // ---- reviews -----------------------------------------------------------------------------------

  /** Schedules a review (scheduledOn), or records one already held (heldAt). */
  async createReview(actor: Actor, boardId: string, input: CreateReviewInput): Promise<Review> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    const heldAt = input.heldAt ? this.heldAt(input.heldAt) : null;
    const scheduledOn = input.scheduledOn ?? (heldAt ? dayOf(heldAt) : null);
    if (!scheduledOn)
      throw invalid('scheduledOn', 'name the day the review is for, or when it was held (heldAt)');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const attendees = await this.checkAttendees(trx, boardId, unique(input.attendeeIds));
      const releases = await this.checkReleases(trx, boardId, unique(input.releaseIds));
      const row = await repo.insertReview(trx, {
        board_id: boardId,
        title: input.title?.trim() || `Release procedure review ${scheduledOn}`,
        scheduled_on: scheduledOn,
        held_at: heldAt,
        minutes: input.minutes ?? '',
        created_by: actor.userId,
      });
      if (attendees) await repo.setAttendees(trx, row.id, attendees);
      if (releases) await repo.setReviewReleases(trx, row.id, releases);
      const [review] = await this.reviewsOf(trx, [row]);
      await record({
        boardId,
        type: 'improvement.review_changed',
        cardId: null,
        actor,
        payload: { review: review!, change: heldAt ? 'recorded' : 'scheduled' },
      });
      return review!;
    });
  }

  /** Edits a review or records it as held; refused when it changed since the revision the edit was made on. */
  async updateReview(
    actor: Actor,
    boardId: string,
    reviewId: string,
    input: UpdateReviewInput,
  ): Promise<Review> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    const heldAt = input.heldAt ? this.heldAt(input.heldAt) : undefined;
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockReview(trx, boardId, reviewId);
      if (!row) throw notFound('review');
      const stale = checkRevision(row.revision, input.revision);
      if (stale) throw refused(stale, { revision: row.revision });
      const attendees = await this.checkAttendees(trx, boardId, unique(input.attendeeIds));
      const releases = await this.checkReleases(trx, boardId, unique(input.releaseIds));
      const set: repo.ReviewChange = {
        ...(input.title !== undefined ? { title: input.title.trim() } : {}),
        ...(input.scheduledOn !== undefined ? { scheduled_on: input.scheduledOn } : {}),
        ...(heldAt !== undefined ? { held_at: heldAt } : {}),
        ...(input.minutes !== undefined ? { minutes: input.minutes } : {}),
      };
      const updated = await repo.updateReview(trx, row.id, set);
      if (attendees) await repo.setAttendees(trx, row.id, attendees);
      if (releases) await repo.setReviewReleases(trx, row.id, releases);
      const [review] = await this.reviewsOf(trx, [updated]);
      await record({
        boardId,
        type: 'improvement.review_changed',
        cardId: null,
        actor,
        payload: { review: review!, change: heldAt && !row.held_at ? 'recorded' : 'edited' },
      });
      return review!;
    });
  }

  /** Takes a review that was not held off the schedule (the items it raised stay, unlinked from it). */
  async deleteReview(actor: Actor, boardId: string, reviewId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockReview(trx, boardId, reviewId);
      if (!row) throw notFound('review');
      const refusal = mayDeleteReview({ heldAt: row.held_at });
      if (refusal) throw refused(refusal);
      await repo.deleteReview(trx, row.id);
      await record({
        boardId,
        type: 'improvement.review_deleted',
        cardId: null,
        actor,
        payload: { reviewId: row.id, title: row.title },
      });
    });
  }

  // ---- the improvement register ------------------------------------------------------------------

  async createItem(actor: Actor, boardId: string, input: CreateItemInput): Promise<ImprovementItem> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const links = await this.checkItemRefs(trx, boardId, input);
      const row = await repo.insertItem(trx, {
        board_id: boardId,
        title: input.title.trim(),
        description: input.description ?? '',
        review_id: input.reviewId ?? null,
        owner_id: input.ownerId ?? null,
        baseline_text: input.baselineText?.trim() ?? '',
        baseline_value: input.baselineValue ?? null,
        target_text: input.targetText?.trim() ?? '',
        target_value: input.targetValue ?? null,
        unit: input.unit?.trim() ?? '',
        due_quarter: input.dueQuarter ?? null,
        created_by: actor.userId,
      });
      if (links.releases) await repo.setItemReleases(trx, row.id, links.releases);
      if (links.cards) await repo.setItemCards(trx, row.id, links.cards);
      const [item] = await this.itemsOf(trx, [row]);
      await record({
        boardId,
        type: 'improvement.item_changed',
        cardId: null,
        actor,
        payload: { item: item!, change: 'raised' },
      });
      return item!;
    });
  }

  /** Edits an item's fields and links; its owner may too (not hand it on). Closed items stay as closed. */
  async updateItem(
    actor: Actor,
    boardId: string,
    itemId: string,
    input: UpdateItemInput,
  ): Promise<ImprovementItem> {
    const role = await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockItem(trx, boardId, itemId);
      if (!row) throw notFound('improvement item');
      this.mayEdit(role, actor, row, {
        changesOwner: input.ownerId !== undefined && input.ownerId !== row.owner_id,
      });
      const stale = checkRevision(row.revision, input.revision);
      if (stale) throw refused(stale, { revision: row.revision });
      const status = row.status as ImprovementStatus;
      if (isClosed(status))
        throw new AppError('CONFLICT', `status: the item is ${status}: its record is kept as closed`, {
          field: 'status',
        });
      const links = await this.checkItemRefs(trx, boardId, input);
      const set: repo.ItemChange = {
        ...(input.title !== undefined ? { title: input.title.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.reviewId !== undefined ? { review_id: input.reviewId } : {}),
        ...(input.ownerId !== undefined ? { owner_id: input.ownerId } : {}),
        ...(input.baselineText !== undefined ? { baseline_text: input.baselineText.trim() } : {}),
        ...(input.baselineValue !== undefined ? { baseline_value: input.baselineValue } : {}),
        ...(input.targetText !== undefined ? { target_text: input.targetText.trim() } : {}),
        ...(input.targetValue !== undefined ? { target_value: input.targetValue } : {}),
        ...(input.unit !== undefined ? { unit: input.unit.trim() } : {}),
        ...(input.dueQuarter !== undefined ? { due_quarter: input.dueQuarter } : {}),
      };
      // A planned item keeps what planning needed: an owner, a due quarter, a target.
      if (status !== 'proposed') {
        const before = itemFacts(row);
        const gap = readyToPlan({
          ...before,
          ownerId: input.ownerId !== undefined ? input.ownerId : before.ownerId,
          dueQuarter: input.dueQuarter !== undefined ? input.dueQuarter : before.dueQuarter,
          target: {
            text: input.targetText?.trim() ?? before.target.text,
            value: input.targetValue !== undefined ? input.targetValue : before.target.value,
          },
        });
        if (gap) throw invalid(gap.field, `${gap.message}; move it back to proposed first to clear it`);
      }
      const updated = await repo.updateItem(trx, row.id, set);
      if (links.releases) await repo.setItemReleases(trx, row.id, links.releases);
      if (links.cards) await repo.setItemCards(trx, row.id, links.cards);
      const [item] = await this.itemsOf(trx, [updated]);
      await record({
        boardId,
        type: 'improvement.item_changed',
        cardId: null,
        actor,
        payload: { item: item!, change: 'edited' },
      });
      return item!;
    });
  }

  /** Moves an item along proposed → planned → in progress → done (or dropped); closing records its result. */
  async setStatus(
    actor: Actor,
    boardId: string,
    itemId: string,
    input: ItemStatusInput,
  ): Promise<ImprovementItem> {
    const role = await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockItem(trx, boardId, itemId);
      if (!row) throw notFound('improvement item');
      this.mayEdit(role, actor, row, { changesOwner: false });
      const outcome = transition(
        itemFacts(row),
        { to: input.status, result: input.result, resultValue: input.resultValue },
        input.revision,
      );
      if (!outcome.ok) throw refused(outcome.refusal, { revision: row.revision });
      const updated = await repo.updateItem(trx, row.id, {
        status: outcome.status,
        result: outcome.result,
        result_value: outcome.resultValue,
        closed_at: outcome.closed ? this.now() : null,
      });
      const [item] = await this.itemsOf(trx, [updated]);
      await record({
        boardId,
        type: 'improvement.item_changed',
        cardId: null,
        actor,
        payload: { item: item!, change: 'status', previousStatus: row.status },
      });
      return item!;
    });
  }

  async deleteItem(actor: Actor, boardId: string, itemId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'improvement:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockItem(trx, boardId, itemId);
      if (!row) throw notFound('improvement item');
      await repo.deleteItem(trx, row.id);
      await record({
        boardId,
        type: 'improvement.item_deleted',
        cardId: null,
        actor,
        payload: { itemId: row.id, number: row.number },
      });
    });
  }

  // ---- checks and shaping --------------------------------------------------------------------------

  private mayEdit(role: Role, actor: Actor, row: ImprovementItemRow, change: { changesOwner: boolean }) {
    const refusal = mayEditItem({
      manages: roleAllows(role, 'improvement:manage'),
      mayWorkOwn: roleAllows(role, 'improvement:work_own'),
      isOwner: actor.userId !== null && row.owner_id === actor.userId,
      changesOwner: change.changesOwner,
    });
    if (refusal) {
      // a role with neither permission is told which one it lacks, as every other route does
      if (!roleAllows(role, 'improvement:work_own')) requireRole(role, 'improvement:manage');
      throw forbidden(refusal);
    }
  }

  private heldAt(text: string): Date {
    const at = new Date(text);
    const refusal = checkHeldAt(at, this.now());
    if (refusal) throw refused(refusal);
    return at;
  }

  private async checkAttendees(db: Db, boardId: string, ids: string[] | undefined) {
    if (!ids) return undefined;
    const found = await repo.members(db, boardId, ids);
    if (ids.some((id) => !found.has(id))) throw invalid('attendeeIds', 'attendees are members of this board');
    return ids;
  }

  private async checkReleases(db: Db, boardId: string, ids: string[] | undefined, field = 'releaseIds') {
    if (!ids) return undefined;
    const found = await repo.releasesOnBoard(db, boardId, ids);
    if (ids.some((id) => !found.has(id))) throw invalid(field, 'no such release on this board');
    return ids;
  }

  private async checkItemRefs(
    db: Db,
    boardId: string,
    input: Pick<CreateItemInput, 'ownerId' | 'reviewId' | 'releaseIds' | 'cardIds'>,
  ) {
    if (input.ownerId) {
      const found = await repo.members(db, boardId, [input.ownerId]);
      if (!found.has(input.ownerId)) throw invalid('ownerId', 'the owner is a member of this board');
    }
    if (input.reviewId && !(await repo.findReview(db, boardId, input.reviewId)))
      throw invalid('reviewId', 'no such review on this board');
    const cards = unique(input.cardIds);
    if (cards) {
      const found = await repo.cardsOnBoard(db, boardId, cards);
      for (const id of cards) {
        const card = found.get(id);
        if (!card) throw invalid('cardIds', 'no such card on this board');
        if (card.type !== 'problem' && card.type !== 'incident')
          throw invalid(
            'cardIds',
            `${card.key} is a ${card.type}: link the problems and incidents that motivated it`,
          );
      }
    }
    return { releases: await this.checkReleases(db, boardId, unique(input.releaseIds)), cards };
  }

  private async settingsOf(db: Db, boardId: string): Promise<ImprovementSettings> {
    const row = await repo.settings(db, boardId);
    return row
      ? { cadenceWeeks: row.cadence_weeks, since: row.since, custom: true }
      : { cadenceWeeks: DEFAULT_CADENCE_WEEKS, since: null, custom: false };
  }

  private async reviewsOf(db: Db, rows: ImprovementReviewRow[]): Promise<Review[]> {
    const details = await repo.reviewDetails(
      db,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toReview(r, details));
  }

  private async itemsOf(db: Db, rows: ImprovementItemRow[]): Promise<ImprovementItem[]> {
    const details = await repo.itemDetails(db, rows);
    const today = dayOf(this.now());
    return rows.map((r) => toItem(r, details, today));
  }
}
