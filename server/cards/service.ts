/**
 * Card use cases: create, edit (with optimistic versions), move (rank, column, sprint, stream; WIP
 * enforced), delete, comment, history. Each starts with an access check, changes rows and appends a
 * board event in one transaction, then publishes the event after the commit.
 */

import { sql, type Transaction } from 'kysely';
import type {
  BoardEvent,
  BulkMoveInput,
  Card,
  CreateCardInput,
  MoveCardInput,
  UpdateCardInput,
} from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { type Category, flowAfterMove } from '../domain/flow.ts';
import { generateRanksBefore, placeRank, rankBetween, ranksAfter } from '../domain/rank.ts';
import { decideWip } from '../domain/wip.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardUpdate, Database } from '../infra/schema.ts';
import { type BoardEventBus, cardHistory, commitWithEvents, type RecordEvent } from '../sync/event-log.ts';
import * as repo from './repo.ts';

const RANK_RETRIES = 8;

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

export class CardService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

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
    await this.assertAssignable(boardId, input.assigneeId);
    const position = input.position ?? 'bottom';
    return this.withRankRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
        const { card_counter: number, key } = await repo.nextCardNumber(trx, boardId);
        const edge = await repo.edgeRank(trx, boardId, position);
        const rank = position === 'top' ? rankBetween(null, edge) : rankBetween(edge, null);
        const row = await trx
          .insertInto('cards')
          .values({
            board_id: boardId,
            number,
            key: `${key}-${number}`,
            title: input.title.trim(),
            description: input.description ?? '',
            type: input.type,
            stream: input.stream ?? 'development',
            rank,
            column_id: null,
            sprint_id: null,
            priority: input.priority ?? 'medium',
            class_of_service: input.classOfService ?? 'standard',
            estimate: input.estimate ?? null,
            labels: input.labels ?? [],
            assignee_id: input.assigneeId ?? null,
            due_date: input.dueDate ?? null,
            source: extra.source ? JSON.stringify(extra.source) : null,
            created_by: actor.userId,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const card = repo.toCard(row);
        await record({ boardId, type: 'card.created', cardId: card.id, actor, payload: { card } });
        return card;
      }),
    );
  }

  async update(actor: Actor, boardId: string, cardId: string, input: UpdateCardInput): Promise<Card> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    if (input.title !== undefined && input.title.trim() === '') throw invalid('title', 'must not be blank');
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
        (set as Record<string, unknown>)[column] = field === 'title' ? (to as string).trim() : to;
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

  async move(actor: Actor, boardId: string, cardId: string, input: MoveCardInput): Promise<MoveResult> {
    await requireBoardPermission(this.db, actor, boardId, 'card:move');
    if (input.afterId === cardId || input.beforeId === cardId) {
      throw invalid(
        input.afterId === cardId ? 'afterId' : 'beforeId',
        'a card cannot be placed next to itself',
      );
    }
    return this.withRankRetry(() =>
      commitWithEvents(this.db, this.bus, (trx, record) =>
        this.moveOnce(trx, record, actor, boardId, cardId, input),
      ),
    );
  }

  private async moveOnce(
    trx: Transaction<Database>,
    record: RecordEvent,
    actor: Actor,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
    assignTo?: string | null,
  ): Promise<MoveResult> {
    const current = await repo.lockCard(trx, boardId, cardId);
    if (!current) throw notFound('card');
    const before = repo.toCard(current);
    const stream = input.stream ?? before.stream;
    if (stream !== before.stream) await requireBoardPermission(trx, actor, boardId, 'card:change_stream');

    // Column: explicit, or cleared by a stream change, or unchanged.
    let columnId =
      input.columnId !== undefined ? input.columnId : stream !== before.stream ? null : before.columnId;
    let category: Category | null = null;
    let warning: string | undefined;
    if (columnId) {
      const entering = columnId !== before.columnId;
      const column = entering
        ? await repo.lockColumn(trx, boardId, columnId)
        : await repo.findColumn(trx, boardId, columnId);
      if (!column) throw invalid('columnId', 'no such column on this board');
      if (column.stream !== stream) {
        throw invalid(
          'columnId',
          `column "${column.name}" belongs to the ${column.stream} stream, the card to ${stream}`,
        );
      }
      category = column.category as Category;
      if (entering && column.wip_limit !== null) {
        const occupancy = await repo.columnOccupancy(trx, column.id, column.expedite_exempt, cardId);
        const decision = decideWip(
          {
            name: column.name,
            wipLimit: column.wip_limit,
            wipPolicy: column.wip_policy as 'hard' | 'warn',
            expediteExempt: column.expedite_exempt,
          },
          occupancy,
          before.classOfService,
        );
        if (decision.kind === 'refuse') {
          throw new AppError('WIP_LIMIT_REACHED', decision.message, {
            columnId: column.id,
            columnName: column.name,
            limit: column.wip_limit,
            card: before,
          });
        }
        if (decision.kind === 'warn') warning = decision.message;
      }
    } else {
      columnId = null;
    }

    let sprintId = input.sprintId !== undefined ? input.sprintId : before.sprintId;
    if (stream !== 'development') sprintId = null;
    if (sprintId && sprintId !== before.sprintId) {
      const sprint = await trx
        .selectFrom('sprints')
        .select(['state'])
        .where('id', '=', sprintId)
        .where('board_id', '=', boardId)
        .executeTakeFirst();
      if (!sprint) throw invalid('sprintId', 'no such sprint on this board');
      if (sprint.state === 'completed') throw invalid('sprintId', 'the sprint is already completed');
    }

    const rank = await this.rankFor(trx, boardId, cardId, input, before.rank);
    const flow = flowAfterMove(
      { startedAt: current.started_at, doneAt: current.done_at },
      columnId ? category : null,
      new Date(),
    );
    const row = await trx
      .updateTable('cards')
      .set({
        rank,
        column_id: columnId,
        sprint_id: sprintId,
        stream,
        started_at: flow.startedAt,
        done_at: flow.doneAt,
        ...(assignTo !== undefined ? { assignee_id: assignTo } : {}),
        version: before.version + 1,
        updated_at: new Date(),
      })
      .where('id', '=', cardId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const card = repo.toCard(row);
    const event = await record({
      boardId,
      type: 'card.moved',
      cardId,
      actor,
      payload: {
        card,
        from: {
          rank: before.rank,
          columnId: before.columnId,
          sprintId: before.sprintId,
          stream: before.stream,
        },
        ...(warning ? { warning } : {}),
      },
    });
    return { card, event, ...(warning ? { warning } : {}) };
  }

  private async rankFor(
    trx: Transaction<Database>,
    boardId: string,
    cardId: string,
    input: MoveCardInput,
    current: string,
  ) {
    if (input.afterId) {
      const found = await repo.rankAfter(trx, boardId, input.afterId, cardId);
      if (!found) throw invalid('afterId', 'no such card on this board');
      return placeRank({ kind: 'after', anchor: found.anchor, next: found.next });
    }
    if (input.beforeId) {
      const found = await repo.rankBefore(trx, boardId, input.beforeId, cardId);
      if (!found) throw invalid('beforeId', 'no such card on this board');
      return placeRank({ kind: 'before', anchor: found.anchor, previous: found.previous });
    }
    return placeRank({ kind: 'keep', current });
  }

  /**
   * Kanban pull: the top item of the maintenance backlog (expedite first, then rank; blocked items
   * skipped) moves into the column and is assigned to the one who pulled it. WIP limits apply.
   */
  async pull(actor: Actor, boardId: string, columnId: string): Promise<MoveResult> {
    await requireBoardPermission(this.db, actor, boardId, 'card:move');
    return this.withRankRetry(() =>
      commitWithEvents(this.db, this.bus, async (trx, record) => {
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
        return this.moveOnce(trx, record, actor, boardId, candidate.id, { columnId }, actor.userId);
      }),
    );
  }

  /**
   * Multi-select move: several cards at once to the top or bottom of the backlog (keeping their
   * order), into a sprint, or to the other stream. One board event for the whole batch.
   */
  async bulkMove(actor: Actor, boardId: string, input: BulkMoveInput): Promise<Card[]> {
    await requireBoardPermission(this.db, actor, boardId, 'card:move');
    if (input.stream) await requireBoardPermission(this.db, actor, boardId, 'card:change_stream');
    return this.withRankRetry(() =>
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
        if (input.sprintId && (input.stream ?? null) !== 'development') {
          const maintenance = rows.filter((r) => (input.stream ?? r.stream) !== 'development');
          if (maintenance.length > 0) {
            throw invalid(
              'sprintId',
              `only development cards join sprints: ${maintenance.map((r) => r.key).join(', ')}`,
            );
          }
        }
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

  /** Two writers can compute the same fractional key at once; the unique index refuses one, which retries. */
  private async withRankRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt < RANK_RETRIES && repo.isUniqueViolation(err, 'cards_board_rank_uq')) continue;
        throw err;
      }
    }
  }
}
