/**
 * Card use cases: create, edit (with optimistic versions), move (rank, column, sprint, stream; WIP
 * enforced), delete, comment, history. Each starts with an access check, changes rows and appends a
 * board event in one transaction, then publishes the event after the commit.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type {
  BoardEvent,
  BulkMoveInput,
  Card,
  CreateCardInput,
  MoveCardInput,
  Stream,
  UpdateCardInput,
} from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as columnRepo from '../columns/repo.ts';
import { refuseSprintOutsideDevelopment } from '../domain/card-move.ts';
import { generateRanksBefore, ranksAfter } from '../domain/rank.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardUpdate } from '../infra/schema.ts';
import { BoardSlots } from '../sync/board-slots.ts';
import { type BoardEventBus, cardHistory, commitWithEvents, type RecordEvent } from '../sync/event-log.ts';
import { MOVE_ADMISSION_LIMITS, MoveAdmission, type ShedReason } from '../sync/move-admission.ts';
import { MoveCommits } from './move-commits.ts';
import { MoveReads } from './move-reads.ts';
import * as repo from './repo.ts';
import * as writes from './writes.ts';

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

const { cardTitle } = writes;

/**
 * Asked before a card named into a release (or raised from a card in one) is created, inside its
 * transaction: the release service locks and checks the release first (refusing before anything is
 * written, and taking locks in the order its own changes take them: release, then board) and answers
 * with what to do once the card exists.
 */
export type CardCreationHook = (
  trx: Parameters<Parameters<typeof commitWithEvents>[2]>[0],
  record: RecordEvent,
  actor: Actor,
  boardId: string,
  links: { releaseId?: string; raisedFrom?: string },
) => Promise<(card: { id: string }) => Promise<void>>;

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
    private readonly onCardCreation?: CardCreationHook,
    /** moves per second one person may keep up on a board (twice that at once); sync/move-admission.ts */
    private readonly movesPerSecond = MOVE_ADMISSION_LIMITS.movesPerSecond,
  ) {
    this.moveReads = new MoveReads(db);
    this.moveCommits = new MoveCommits(db, bus, onMoveGroup);
    this.moveAdmission = new MoveAdmission(
      { ...MOVE_ADMISSION_LIMITS, movesPerSecond, moveBurst: 2 * movesPerSecond },
      onMoveShed,
    );
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
    const fields = writes.fieldsOf(input, actor, extra.source);
    await this.assertAssignable(boardId, input.assigneeId);
    const position = input.position ?? 'bottom';
    const { releaseId, raisedFrom } = input;
    const links = { ...(releaseId ? { releaseId } : {}), ...(raisedFrom ? { raisedFrom } : {}) };
    return this.withRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
        const created =
          (releaseId || raisedFrom) && this.onCardCreation
            ? await this.onCardCreation(trx, record, actor, boardId, links)
            : null;
        const row = await writes.createCard(trx, record, actor, boardId, position, fields);
        if (created) await created(row);
        return repo.toCard(row);
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
      return repo.toCard(await writes.updateCard(trx, record, actor, boardId, before, set, changes));
    });
  }

  /**
   * Under overload a move is refused at once (OVERLOADED, with `retryAfterMs`) rather than queued
   * behind work that cannot finish in time; sync/move-admission.ts decides. Admitted, it holds its
   * place until answered, its retries included.
   */
  async move(actor: Actor, boardId: string, cardId: string, input: MoveCardInput): Promise<MoveResult> {
    const ticket = this.moveAdmission.enter(boardId, actor.userId ?? actor.label);
    if (!ticket.admit) {
      const inSeconds = Math.ceil(ticket.retryAfterMs / 1000);
      // Past the mover's own allowance the cause is the sender's rate, not the server: a 429 over
      // HTTP, so no input earns a 5xx. Either way the code is OVERLOADED and the client backs off.
      const ownRate = ticket.reason === 'person_rate';
      throw new AppError(
        'OVERLOADED',
        ownRate
          ? `you may move at most ${this.movesPerSecond} cards a second on a board; try again in ${inSeconds} s`
          : `the server is too busy to move cards on this board right now; try again in ${inSeconds} s`,
        { retryAfterMs: ticket.retryAfterMs },
        ownRate ? 429 : undefined,
      );
    }
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
      const prepared = await this.prepareMove(actor, boardId, cardId, input);
      if (!prepared.plan.wipCheck) {
        const { write, event, card } = writes.moveWrite(actor, boardId, prepared);
        const recorded = await this.moveCommits.commit(write, event);
        // No row changed: the card moved (or vanished) between the read and the write. Read again.
        if (!recorded) throw new MovedMeanwhile();
        return { card, event: recorded };
      }
      return this.moveTransactions.run(boardId, () =>
        commitWithEvents(this.db, this.bus, async (trx, record) =>
          this.moved(await writes.commitPreparedMove(trx, record, actor, boardId, prepared)),
        ),
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
      return this.moved(await writes.moveCard(trx, record, actor, boardId, cardId, input));
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
        const candidate = await repo.lockPullCandidate(trx, boardId);
        if (!candidate)
          throw new AppError('NOT_FOUND', 'nothing to pull: the maintenance backlog has no unblocked items');
        return this.moved(
          await writes.moveCard(trx, record, actor, boardId, candidate.id, { columnId }, actor.userId),
        );
      }),
    );
  }

  /**
   * The move's facts, read outside a transaction (sharing a statement with other moves on the board,
   * move-reads.ts), and the rules' decision on them; a refusal is thrown.
   */
  private async prepareMove(
    actor: Actor,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
  ): Promise<writes.PreparedMove> {
    const row = await this.moveReads.read(boardId, { cardId, userId: actor.userId, ...input });
    if (!row) {
      // Tell a hidden or missing board (404 board) from a missing card (404 card), in that order.
      await requireBoardPermission(this.db, actor, boardId, 'card:move');
      throw notFound('card');
    }
    const prepared = writes.decideCardMove(actor, row, input, new Date());
    if ('ok' in prepared) throw prepared.error;
    return prepared;
  }

  /**
   * The mover's answer: the whole card after the move, and the event every watcher got. A refusal is
   * thrown; no outcome (the card moved between the read and the write) is read again.
   */
  private moved(outcome: writes.Moved<BoardEvent> | writes.Refused | null): MoveResult {
    if (!outcome) throw new MovedMeanwhile();
    if (!outcome.ok) throw outcome.error;
    const { card, event, warning } = outcome;
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
        const rows = await repo.lockCardsOf(trx, boardId, input.cardIds);
        if (rows.length !== new Set(input.cardIds).size)
          throw invalid('cardIds', 'some cards are not on this board');
        const refusal = refuseSprintOutsideDevelopment(
          rows.map((r) => ({ key: r.key, stream: r.stream as Stream })),
          input,
        );
        if (refusal) throw invalid(refusal.field, refusal.message);
        if (input.sprintId) {
          const sprint = await repo.sprintState(trx, boardId, input.sprintId);
          if (!sprint || sprint.state === 'completed')
            throw invalid('sprintId', 'must be a planned or active sprint on this board');
        }
        let ranks: string[] | null = null;
        if (input.position) {
          const edge = await repo.edgeRankExcept(trx, boardId, input.position, input.cardIds);
          ranks =
            input.position === 'top' ? generateRanksBefore(edge, rows.length) : ranksAfter(edge, rows.length);
        }
        await repo.bulkMoveCards(
          trx,
          rows.map((r, i) => ({ id: r.id, rank: ranks ? ranks[i]! : r.rank })),
          input.stream ?? null,
          input.sprintId,
        );
        const updated = await repo.cardsByIds(trx, input.cardIds);
        const cards = updated.map(repo.toCard);
        await record({ boardId, type: 'cards.moved', cardId: null, actor, payload: { cards } });
        return cards;
      }),
    );
  }

  async remove(actor: Actor, boardId: string, cardId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'card:delete');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.deleteCard(trx, boardId, cardId);
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

  async comment(actor: Actor, boardId: string, cardId: string, body: string, internal = false) {
    await requireBoardPermission(this.db, actor, boardId, 'card:comment');
    if (body.trim() === '') throw invalid('body', 'must not be blank');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const card = await repo.findCard(trx, boardId, cardId);
      if (!card) throw notFound('card');
      return writes.addComment(trx, record, actor, boardId, cardId, body.trim(), internal);
    });
  }

  async comments(actor: Actor, boardId: string, cardId: string) {
    await this.get(actor, boardId, cardId);
    return (await repo.listComments(this.db, cardId)).map(repo.toComment);
  }

  private async assertAssignable(boardId: string, assigneeId: string | null | undefined) {
    if (!assigneeId) return;
    if (!(await repo.isMember(this.db, boardId, assigneeId)))
      throw invalid('assigneeId', 'the assignee is not a member of this board');
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
