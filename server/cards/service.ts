/**
 * Card use cases: create, edit (with optimistic versions), move (rank, column, sprint, stream; WIP
 * enforced), delete, comment, history. Each starts with an access check, changes rows and appends a
 * board event in one transaction, then publishes the event after the commit.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Transaction } from 'kysely';
import type {
  BoardEvent,
  BulkMoveInput,
  Card,
  CardPlacement,
  CreateCardInput,
  MoveCardInput,
  Role,
  Stream,
  UpdateCardInput,
} from '../../protocol/model.ts';
import { type Actor, requireBoardPermission, requireRole } from '../access/board-access.ts';
import * as columnRepo from '../columns/repo.ts';
import { type MovePlan, refuseSprintOutsideDevelopment } from '../domain/card-move.ts';
import { generateRanksBefore, ranksAfter } from '../domain/rank.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardUpdate, Database } from '../infra/schema.ts';
import { BoardSlots } from '../sync/board-slots.ts';
import { type BoardEventBus, cardHistory, commitWithEvents, type NewEvent } from '../sync/event-log.ts';
import { MoveAdmission, type ShedReason } from '../sync/move-admission.ts';
import { MoveCommits } from './move-commits.ts';
import { decideMove, decideWipUnderLock } from './move-facts.ts';
import { MoveReads } from './move-reads.ts';
import * as repo from './repo.ts';

const RETRIES = 12;
const LOCK_AFTER_ATTEMPTS = 3;
const DEADLOCK_DETECTED = '40P01';
/** A board's move transactions holding a connection at once (they queue on the board's row anyway). */
const MOVE_TRANSACTIONS_PER_BOARD = 2;

export interface MoveResult {
  card: Card;
  event: BoardEvent;
  warning?: string;
}

/** Fields a user edits, as wire name → column name. */
const EDITABLE = {
  title: 'title',
  description: 'description',
  type: 'type',
  stream: 'stream',
  priority: 'priority',
  classOfService: 'class_of_service',
  estimate: 'estimate',
  labels: 'labels',
  assigneeId: 'assignee_id',
  blocked: 'blocked',
  blockedReason: 'blocked_reason',
  dueDate: 'due_date',
} as const;

/** One title rule for create and edit: trimmed, and not blank (a whitespace-only title is refused). */
function cardTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw invalid('title', 'must not be blank');
  return trimmed;
}

export class CardService {
  private readonly moveReads: MoveReads;
  private readonly moveCommits: MoveCommits;
  private readonly moveAdmission: MoveAdmission;
  private readonly moveTransactions = new BoardSlots(MOVE_TRANSACTIONS_PER_BOARD);

  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    /** told the size of each group of moves committed together (see move-commits.ts) */
    onMoveGroup?: (size: number) => void,
    /** told the reason of each move refused as OVERLOADED (see sync/move-admission.ts) */
    onMoveShed?: (reason: ShedReason) => void,
  ) {
    this.moveReads = new MoveReads(db);
    this.moveCommits = new MoveCommits(db, bus, onMoveGroup);
    this.moveAdmission = new MoveAdmission(undefined, onMoveShed);
  }

  async list(actor: Actor, boardId: string): Promise<Card[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return (await repo.listCards(this.db, boardId)).map(repo.toCard);
  }

  async get(actor: Actor, boardId: string, cardId: string): Promise<Card> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.findCard(this.db, boardId, cardId);
    if (!row) throw notFound('card');
    return repo.toCard(row);
  }

  async history(actor: Actor, boardId: string, cardId: string): Promise<BoardEvent[]> {
    await this.get(actor, boardId, cardId);
    return cardHistory(this.db, cardId);
  }

  async create(
    actor: Actor,
    boardId: string,
    input: CreateCardInput,
    extra: { source?: Record<string, unknown> } = {},
  ): Promise<Card> {
    await requireBoardPermission(this.db, actor, boardId, 'card:create');
    const title = cardTitle(input.title);
    await this.assertAssignable(boardId, input.assigneeId);
    const position = input.position ?? 'bottom';
    return this.withRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
        const row = await repo.insertCard(trx, boardId, position, {
          title,
          description: input.description ?? '',
          type: input.type,
          stream: input.stream ?? 'development',
          priority: input.priority ?? 'medium',
          class_of_service: input.classOfService ?? 'standard',
          estimate: input.estimate ?? null,
          labels: input.labels ?? [],
          assignee_id: input.assigneeId ?? null,
          due_date: input.dueDate ?? null,
          source: extra.source ? JSON.stringify(extra.source) : null,
          created_by: actor.userId,
        });
        const card = repo.toCard(row);
        await record({ boardId, type: 'card.created', cardId: card.id, actor, payload: { card } });
        return card;
      }),
    );
  }

  async update(actor: Actor, boardId: string, cardId: string, input: UpdateCardInput): Promise<Card> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    if (input.title !== undefined) cardTitle(input.title);
    await this.assertAssignable(boardId, input.assigneeId);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const current = await repo.lockCard(trx, boardId, cardId);
      if (!current) throw notFound('card');
      const before = repo.toCard(current);
      if (before.version !== input.version) {
        throw new AppError(
          'STALE_VERSION',
          `card ${before.key} changed since version ${input.version}; reload it`,
          {
            card: before,
          },
        );
      }
      const set: CardUpdate = {};
      const changes: { field: string; from: unknown; to: unknown }[] = [];
      for (const [field, column] of Object.entries(EDITABLE) as [keyof typeof EDITABLE, string][]) {
        const to = input[field];
        if (to === undefined) continue;
        const from = before[field];
        if (JSON.stringify(from) === JSON.stringify(to)) continue;
        (set as Record<string, unknown>)[column] = field === 'title' ? cardTitle(to as string) : to;
        changes.push({ field, from, to });
      }
      if (changes.length === 0) return before;
      if (set.stream !== undefined) {
        await requireBoardPermission(trx, actor, boardId, 'card:change_stream');
        // Columns belong to a stream: handing a card over returns it to the other stream's backlog.
        set.column_id = null;
      }
      const row = await trx
        .updateTable('cards')
        .set({ ...set, version: before.version + 1, updated_at: new Date() })
        .where('id', '=', cardId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const card = repo.toCard(row);
      await record({ boardId, type: 'card.updated', cardId, actor, payload: { card, changes } });
      return card;
    });
  }

  /**
   * Under overload a move is refused at once (OVERLOADED, with `retryAfterMs`) rather than queued
   * behind work that cannot finish in time; sync/move-admission.ts decides. Admitted, it holds its
   * place until answered, its retries included.
   */
  async move(actor: Actor, boardId: string, cardId: string, input: MoveCardInput): Promise<MoveResult> {
    const ticket = this.moveAdmission.enter(boardId);
    if (!ticket.admit)
      throw new AppError(
        'OVERLOADED',
        `the server is too busy to move cards on this board right now; try again in ${Math.ceil(ticket.retryAfterMs / 1000)} s`,
        { retryAfterMs: ticket.retryAfterMs },
      );
    try {
      return await this.admittedMove(actor, boardId, cardId, input);
    } finally {
      ticket.release();
    }
  }

  /**
   * A move reads everything it decides on in one statement (role, card, target column and sprint,
   * rank neighbours), lets the pure rules in domain/card-move.ts decide, and writes the card and its
   * event in one more statement guarded by the card's version: two round trips, no transaction. On a
   * busy board both statements carry the other moves waiting for them too (move-reads.ts,
   * move-commits.ts). Only a move into a column with a WIP limit takes the column's lock (in a
   * transaction) to count.
   */
  private async admittedMove(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
  ): Promise<MoveResult> {
    return this.withRetry(async (attempt) => {
      // A card many people move at once, or a spot many cards are dropped on, keeps losing the
      // optimistic race; from the third try the move queues on row locks instead (lockedMove).
      if (attempt >= LOCK_AFTER_ATTEMPTS)
        return this.moveTransactions.run(boardId, () => this.lockedMove(actor, boardId, cardId, input));
      const prepared = await this.prepareMove(this.db, actor, boardId, cardId, input, true);
      if (!prepared.plan.wipCheck) {
        const { write, event, card } = this.moveWrite(actor, boardId, prepared);
        return this.moved(await this.moveCommits.commit(write, event), card);
      }
      return this.moveTransactions.run(boardId, () =>
        commitWithEvents(this.db, this.bus, async (trx, record) => {
          const warning = await this.checkWip(trx, prepared);
          const { write, event, card } = this.moveWrite(actor, boardId, prepared, undefined, warning);
          return this.moved(await record(event, repo.moveCard(trx, write)), card, warning);
        }),
      );
    });
  }

  private lockedMove(actor: Actor, boardId: string, cardId: string, input: MoveCardInput) {
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      // Column before card, the order every WIP-checked move takes its locks in (no deadlock).
      if (input.columnId) await columnRepo.lockColumn(trx, boardId, input.columnId);
      if (!(await repo.lockCard(trx, boardId, cardId))) {
        await requireBoardPermission(trx, actor, boardId, 'card:move');
        throw notFound('card');
      }
      // Moves dropped on the same spot choose the same rank and keep colliding; holding the anchor
      // card lines them up, and each then reads the neighbour the one before it has just become.
      const anchorId = input.afterId ?? input.beforeId;
      if (anchorId && anchorId !== cardId) await repo.lockCard(trx, boardId, anchorId);
      const prepared = await this.prepareMove(trx, actor, boardId, cardId, input);
      const warning = prepared.plan.wipCheck ? await this.checkWip(trx, prepared) : undefined;
      const { write, event, card } = this.moveWrite(actor, boardId, prepared, undefined, warning);
      return this.moved(await record(event, repo.moveCard(trx, write)), card, warning);
    });
  }

  /**
   * Kanban pull: the top item of the maintenance backlog (expedite first, then rank; blocked items
   * skipped) moves into the column and is assigned to the one who pulled it. WIP limits apply.
   */
  async pull(actor: Actor, boardId: string, columnId: string): Promise<MoveResult> {
    await requireBoardPermission(this.db, actor, boardId, 'card:move');
    return this.withRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
        // Column before card, the order every WIP-checked move takes its locks in (no deadlock).
        await columnRepo.lockColumn(trx, boardId, columnId);
        const candidate = await trx
          .selectFrom('cards')
          .select('id')
          .where('board_id', '=', boardId)
          .where('stream', '=', 'maintenance')
          .where('column_id', 'is', null)
          .where('blocked', '=', false)
          .orderBy(sql`class_of_service = 'expedite'`, 'desc')
          .orderBy('rank')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!candidate)
          throw new AppError('NOT_FOUND', 'nothing to pull: the maintenance backlog has no unblocked items');
        const prepared = await this.prepareMove(trx, actor, boardId, candidate.id, { columnId });
        const warning = prepared.plan.wipCheck ? await this.checkWip(trx, prepared) : undefined;
        const { write, event, card } = this.moveWrite(actor, boardId, prepared, actor.userId, warning);
        return this.moved(await record(event, repo.moveCard(trx, write)), card, warning);
      }),
    );
  }

  private async prepareMove(
    db: Db,
    actor: Actor,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
    grouped = false,
  ): Promise<PreparedMove> {
    const read: repo.MoveRead = { cardId, userId: actor.userId, ...input };
    // Outside a transaction the read may share a statement with other moves on the board.
    const row = grouped
      ? await this.moveReads.read(boardId, read)
      : (await repo.loadMoves(db, boardId, [read]))[0];
    if (!row) {
      // Tell a hidden or missing board (404 board) from a missing card (404 card), in that order.
      await requireBoardPermission(db, actor, boardId, 'card:move');
      throw notFound('card');
    }
    const role = requireRole(actor.isAdmin ? 'admin' : (row.member_role as Role | null), 'card:move');
    if (input.stream && input.stream !== row.stream) requireRole(role, 'card:change_stream');
    const now = new Date();
    const { before, decision } = decideMove(row, input, now);
    if (!decision.ok) throw invalid(decision.refusal.field, decision.refusal.message);
    return { before, plan: decision.plan, now };
  }

  /** Counts the column under its lock (taken first, so concurrent moves into it queue) and rules on it. */
  private async checkWip(trx: Transaction<Database>, { before, plan }: PreparedMove) {
    const counted = await decideWipUnderLock(trx, before.boardId, plan.wipCheck!.id, before);
    if (!counted) throw invalid('columnId', 'no such column on this board');
    const { column, wip } = counted;
    if (wip.kind === 'refuse') {
      throw new AppError('WIP_LIMIT_REACHED', wip.message, {
        columnId: column.id,
        columnName: column.name,
        limit: column.wip_limit,
        card: before,
      });
    }
    return wip.kind === 'warn' ? wip.message : undefined;
  }

  /** The guarded write and the event it records; the card in the event is the card after the write. */
  private moveWrite(
    actor: Actor,
    boardId: string,
    { before, plan, now }: PreparedMove,
    assignTo?: string | null,
    warning?: string,
  ) {
    const write: repo.MoveWrite = {
      id: before.id,
      version: before.version,
      rank: plan.rank,
      columnId: plan.columnId,
      sprintId: plan.sprintId,
      stream: plan.stream,
      startedAt: plan.startedAt,
      doneAt: plan.doneAt,
      ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
      updatedAt: now,
    };
    const card: Card = {
      ...before,
      rank: plan.rank,
      columnId: plan.columnId,
      sprintId: plan.sprintId,
      stream: plan.stream,
      startedAt: plan.startedAt?.toISOString() ?? null,
      doneAt: plan.doneAt?.toISOString() ?? null,
      ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
      version: before.version + 1,
      updatedAt: now.toISOString(),
    };
    const from = {
      rank: before.rank,
      columnId: before.columnId,
      sprintId: before.sprintId,
      stream: before.stream,
    };
    // Every watcher gets the event: it carries the card's new place, not the whole card.
    const placement: CardPlacement = {
      id: card.id,
      version: card.version,
      rank: card.rank,
      columnId: card.columnId,
      sprintId: card.sprintId,
      stream: card.stream,
      startedAt: card.startedAt,
      doneAt: card.doneAt,
      updatedAt: card.updatedAt,
      ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
    };
    const event: NewEvent = {
      boardId,
      type: 'card.moved',
      cardId: before.id,
      actor,
      payload: { card: placement, from, ...(warning ? { warning } : {}) },
    };
    return { write, event, card };
  }

  /** The mover's answer: the whole card after the move, and the event every watcher got. */
  private moved(event: BoardEvent | null, card: Card, warning?: string): MoveResult {
    // No row changed: the card moved (or vanished) between the read and the write. Read again.
    if (!event) throw new MovedMeanwhile();
    return { card, event, ...(warning ? { warning } : {}) };
  }

  /**
   * Multi-select move: several cards at once to the top or bottom of the backlog (keeping their
   * order), into a sprint, or to the other stream. One board event for the whole batch.
   */
  async bulkMove(actor: Actor, boardId: string, input: BulkMoveInput): Promise<Card[]> {
    await requireBoardPermission(this.db, actor, boardId, 'card:move');
    if (input.stream) await requireBoardPermission(this.db, actor, boardId, 'card:change_stream');
    return this.withRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
        const rows = await trx
          .selectFrom('cards')
          .selectAll()
          .where('board_id', '=', boardId)
          .where('id', 'in', input.cardIds)
          .orderBy('rank')
          .forUpdate()
          .execute();
        if (rows.length !== new Set(input.cardIds).size)
          throw invalid('cardIds', 'some cards are not on this board');
        const refusal = refuseSprintOutsideDevelopment(
          rows.map((r) => ({ key: r.key, stream: r.stream as Stream })),
          input,
        );
        if (refusal) throw invalid(refusal.field, refusal.message);
        if (input.sprintId) {
          const sprint = await trx
            .selectFrom('sprints')
            .select('state')
            .where('id', '=', input.sprintId)
            .where('board_id', '=', boardId)
            .executeTakeFirst();
          if (!sprint || sprint.state === 'completed')
            throw invalid('sprintId', 'must be a planned or active sprint on this board');
        }
        let ranks: string[] | null = null;
        if (input.position) {
          const others = await trx
            .selectFrom('cards')
            .select('rank')
            .where('board_id', '=', boardId)
            .where('id', 'not in', input.cardIds)
            .orderBy('rank', input.position === 'top' ? 'asc' : 'desc')
            .limit(1)
            .executeTakeFirst();
          ranks =
            input.position === 'top'
              ? generateRanksBefore(others?.rank ?? null, rows.length)
              : ranksAfter(others?.rank ?? null, rows.length);
        }
        const values = rows.map((r, i) => sql`(${r.id}::uuid, ${ranks ? ranks[i]! : r.rank})`);
        const stream = input.stream ?? null;
        const sprintId = input.sprintId === undefined ? undefined : input.sprintId;
        await sql`
          update cards c set
            rank = v.rank collate "C",
            stream = coalesce(${stream}, c.stream),
            column_id = case when ${stream}::text is not null and ${stream} <> c.stream then null else c.column_id end,
            sprint_id = case when coalesce(${stream}, c.stream) <> 'development' then null
                             when ${sprintId !== undefined} then ${sprintId ?? null}::uuid else c.sprint_id end,
            version = c.version + 1, updated_at = now()
          from (values ${sql.join(values)}) as v(id, rank)
          where c.id = v.id`.execute(trx);
        const updated = await trx
          .selectFrom('cards')
          .selectAll()
          .where('id', 'in', input.cardIds)
          .orderBy('rank')
          .execute();
        const cards = updated.map(repo.toCard);
        await record({ boardId, type: 'cards.moved', cardId: null, actor, payload: { cards } });
        return cards;
      }),
    );
  }

  async remove(actor: Actor, boardId: string, cardId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'card:delete');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await trx
        .deleteFrom('cards')
        .where('id', '=', cardId)
        .where('board_id', '=', boardId)
        .returning(['key', 'title'])
        .executeTakeFirst();
      if (!row) throw notFound('card');
      await record({
        boardId,
        type: 'card.deleted',
        cardId,
        actor,
        payload: { cardId, key: row.key, title: row.title },
      });
    });
  }

  async comment(actor: Actor, boardId: string, cardId: string, body: string) {
    await requireBoardPermission(this.db, actor, boardId, 'card:comment');
    if (body.trim() === '') throw invalid('body', 'must not be blank');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await repo.findCard(trx, boardId, cardId);
      if (!card) throw notFound('card');
      const row = await trx
        .insertInto('card_comments')
        .values({ card_id: cardId, author_id: actor.userId, author_label: actor.label, body: body.trim() })
        .returningAll()
        .executeTakeFirstOrThrow();
      const comment = {
        id: row.id,
        cardId,
        author: row.author_label,
        body: row.body,
        createdAt: row.created_at.toISOString(),
      };
      await record({ boardId, type: 'card.commented', cardId, actor, payload: { comment } });
      return comment;
    });
  }

  async comments(actor: Actor, boardId: string, cardId: string) {
    await this.get(actor, boardId, cardId);
    const rows = await this.db
      .selectFrom('card_comments')
      .selectAll()
      .where('card_id', '=', cardId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      cardId,
      author: r.author_label,
      body: r.body,
      createdAt: r.created_at.toISOString(),
    }));
  }

  private async assertAssignable(boardId: string, assigneeId: string | null | undefined) {
    if (!assigneeId) return;
    const member = await this.db
      .selectFrom('board_members')
      .select('user_id')
      .where('board_id', '=', boardId)
      .where('user_id', '=', assigneeId)
      .executeTakeFirst();
    if (!member) throw invalid('assigneeId', 'the assignee is not a member of this board');
  }

  /**
   * Two writers can compute the same fractional key at once (the unique index refuses one), or move
   * the same card between one's read and its write (the version guard refuses it): the loser retries.
   */
  private async withRetry<T>(work: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(attempt);
      } catch (err) {
        const raced =
          err instanceof MovedMeanwhile ||
          repo.isUniqueViolation(err, 'cards_board_rank_uq') ||
          (err as { code?: string }).code === DEADLOCK_DETECTED;
        if (raced && attempt < RETRIES) {
          // Jittered backoff: writers that collided on a hot spot (a popular anchor) spread out.
          if (attempt > 1) await sleep(Math.random() * 2 ** Math.min(attempt, 6));
          continue;
        }
        if (err instanceof MovedMeanwhile)
          throw new AppError('CONFLICT', 'the card is being moved by others right now; try again');
        if (repo.isUniqueViolation(err, 'cards_board_rank_uq'))
          throw new AppError('CONFLICT', 'other cards are being dropped on that spot right now; try again');
        throw err;
      }
    }
  }
}

/** The card changed between a move's read and its write. */
class MovedMeanwhile extends Error {}

interface PreparedMove {
  before: Card;
  plan: MovePlan;
  now: Date;
}
