/**
 * Sprints for the development stream: plan (cards are moved into a planned sprint with the card
 * move), start (goal, dates; committed points fixed; sprint items land in the first To-do column),
 * complete (unfinished items to the top of the backlog or into the next sprint, recorded).
 */
import { sql } from 'kysely';
import type {
  Card,
  CompleteSprintInput,
  CreateSprintInput,
  Sprint,
  StartSprintInput,
} from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { toSprint } from '../boards/service.ts';
import * as cardRepo from '../cards/repo.ts';
import { generateRanksBefore } from '../domain/rank.ts';
import {
  checkComplete,
  checkSprintDates,
  checkStart,
  points,
  type SprintState,
  splitAtCompletion,
} from '../domain/sprint.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';

export class SprintService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async list(actor: Actor, boardId: string): Promise<Sprint[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await this.db
      .selectFrom('sprints')
      .selectAll()
      .where('board_id', '=', boardId)
      .orderBy('created_at')
      .execute();
    return rows.map(toSprint);
  }

  async create(actor: Actor, boardId: string, input: CreateSprintInput): Promise<Sprint> {
    await requireBoardPermission(this.db, actor, boardId, 'sprint:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await trx
        .insertInto('sprints')
        .values({
          board_id: boardId,
          name: input.name.trim(),
          goal: input.goal ?? '',
          state: 'planned',
          capacity: input.capacity ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const sprint = toSprint(row);
      await record({
        boardId,
        type: 'sprint.created',
        cardId: null,
        actor,
        payload: { sprint },
      });
      return sprint;
    });
  }

  async start(
    actor: Actor,
    boardId: string,
    sprintId: string,
    input: StartSprintInput,
  ): Promise<{ sprint: Sprint; cards: Card[] }> {
    await requireBoardPermission(this.db, actor, boardId, 'sprint:manage');
    const badDates = checkSprintDates(input);
    if (badDates) throw invalid(badDates.field, badDates.message);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      // One board-level lock: two "start" clicks cannot both find no active sprint.
      await sql`select pg_advisory_xact_lock(hashtext(${`sprint-start:${boardId}`}))`.execute(trx);
      const current = await trx
        .selectFrom('sprints')
        .selectAll()
        .where('id', '=', sprintId)
        .where('board_id', '=', boardId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw notFound('sprint');
      const active = await trx
        .selectFrom('sprints')
        .select('id')
        .where('board_id', '=', boardId)
        .where('state', '=', 'active')
        .executeTakeFirst();
      const violation = checkStart(current.state as SprintState, active !== undefined);
      if (violation)
        throw new AppError('CONFLICT', `${violation.field}: ${violation.message}`, {
          field: violation.field,
        });

      const todo = await trx
        .selectFrom('board_columns')
        .select('id')
        .where('board_id', '=', boardId)
        .where('stream', '=', 'development')
        .where('category', '=', 'todo')
        .orderBy('position')
        .executeTakeFirst();
      if (!todo) throw invalid('columns', 'the development stream needs a To-do column to start a sprint');
      const cards = await trx
        .updateTable('cards')
        .set((eb) => ({
          column_id: eb.fn.coalesce('column_id', eb.val(todo.id)),
          version: eb('version', '+', 1),
          updated_at: new Date(),
        }))
        .where('sprint_id', '=', sprintId)
        .returningAll()
        .execute();
      const committed = points(
        cards.map((c) => ({
          id: c.id,
          estimate: c.estimate === null ? null : Number(c.estimate),
          done: false,
        })),
      );
      const row = await trx
        .updateTable('sprints')
        .set({
          state: 'active',
          goal: input.goal,
          start_date: input.startDate,
          end_date: input.endDate,
          capacity: input.capacity !== undefined ? input.capacity : current.capacity,
          started_at: new Date(),
          committed_points: committed,
        })
        .where('id', '=', sprintId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const sprint = toSprint(row);
      const changed = cards.sort((a, b) => (a.rank < b.rank ? -1 : 1)).map(cardRepo.toCard);
      await record({
        boardId,
        type: 'sprint.started',
        cardId: null,
        actor,
        payload: { sprint, cards: changed },
      });
      return { sprint, cards: changed };
    });
  }

  async complete(
    actor: Actor,
    boardId: string,
    sprintId: string,
    input: CompleteSprintInput,
  ): Promise<{ sprint: Sprint; cards: Card[] }> {
    await requireBoardPermission(this.db, actor, boardId, 'sprint:manage');
    if (input.carryOver === 'next_sprint' && !input.nextSprintId)
      throw invalid('nextSprintId', 'required when carryOver is next_sprint');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const current = await trx
        .selectFrom('sprints')
        .selectAll()
        .where('id', '=', sprintId)
        .where('board_id', '=', boardId)
        .forUpdate()
        .executeTakeFirst();
      if (!current) throw notFound('sprint');
      const violation = checkComplete(current.state as SprintState);
      if (violation)
        throw new AppError('CONFLICT', `${violation.field}: ${violation.message}`, {
          field: violation.field,
        });
      if (input.carryOver === 'next_sprint') {
        const next = await trx
          .selectFrom('sprints')
          .select('state')
          .where('id', '=', input.nextSprintId!)
          .where('board_id', '=', boardId)
          .executeTakeFirst();
        if (next?.state !== 'planned')
          throw invalid('nextSprintId', 'must be a planned sprint on this board');
      }

      const items = await trx
        .selectFrom('cards')
        .leftJoin('board_columns as col', 'col.id', 'cards.column_id')
        .select(['cards.id', 'cards.estimate', 'cards.rank', 'col.category'])
        .where('cards.sprint_id', '=', sprintId)
        .orderBy('cards.rank')
        .forUpdate(['cards'])
        .execute();
      const { unfinished, completedPoints } = splitAtCompletion(
        items.map((i) => ({
          id: i.id,
          rank: i.rank,
          estimate: i.estimate === null ? null : Number(i.estimate),
          done: i.category === 'done',
        })),
      );

      let changed: Card[] = [];
      if (unfinished.length > 0) {
        const top = await cardRepo.edgeRank(trx, boardId, 'top');
        // Carried-over work goes to the very top of the backlog, keeping its order.
        const ranks = input.carryOver === 'backlog' ? generateRanksBefore(top, unfinished.length) : null;
        const values = unfinished.map(
          (item, index) => sql`(${item.id}::uuid, ${ranks ? ranks[index]! : item.rank})`,
        );
        // One statement for all carried-over cards (ranks come from the C-collated key space).
        await sql`
          update cards c set sprint_id = ${input.carryOver === 'next_sprint' ? input.nextSprintId! : null},
            column_id = null, done_at = null, rank = v.rank collate "C", version = c.version + 1, updated_at = now()
          from (values ${sql.join(values)}) as v(id, rank)
          where c.id = v.id`.execute(trx);
        const rows = await trx
          .selectFrom('cards')
          .selectAll()
          .where(
            'id',
            'in',
            unfinished.map((u) => u.id),
          )
          .orderBy('rank')
          .execute();
        changed = rows.map(cardRepo.toCard);
      }
      const row = await trx
        .updateTable('sprints')
        .set({
          state: 'completed',
          completed_at: new Date(),
          completed_points: completedPoints,
          carry_over: input.carryOver,
        })
        .where('id', '=', sprintId)
        .returningAll()
        .executeTakeFirstOrThrow();
      const sprint = toSprint(row);
      await record({
        boardId,
        type: 'sprint.completed',
        cardId: null,
        actor,
        payload: {
          sprint,
          cards: changed,
          carryOver: input.carryOver,
          nextSprintId: input.nextSprintId ?? null,
        },
      });
      return { sprint, cards: changed };
    });
  }

  async update(
    actor: Actor,
    boardId: string,
    sprintId: string,
    input: { name?: string; goal?: string; capacity?: number | null },
  ): Promise<Sprint> {
    await requireBoardPermission(this.db, actor, boardId, 'sprint:manage');
    if (input.name !== undefined && input.name.trim() === '') throw invalid('name', 'must not be blank');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await trx
        .updateTable('sprints')
        .set({
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.goal !== undefined ? { goal: input.goal } : {}),
          ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
        })
        .where('id', '=', sprintId)
        .where('board_id', '=', boardId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('sprint');
      const sprint = toSprint(row);
      await record({
        boardId,
        type: 'sprint.updated',
        cardId: null,
        actor,
        payload: { sprint },
      });
      return sprint;
    });
  }
}
