/**
 * Sprints for the development stream: plan (cards are moved into a planned sprint with the card
 * move), start (goal, dates; committed points fixed; sprint items land in the first To-do column),
 * complete (unfinished items to the top of the backlog or into the next sprint, recorded).
 */

import type {
  Card,
  CompleteSprintInput,
  CreateSprintInput,
  Sprint,
  StartSprintInput,
} from '../../protocol/model.ts';
import { type ColumnCategory, isDoneCategory } from '../../protocol/rules/card-status.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
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
import * as repo from './repo.ts';
import { toSprint } from './repo.ts';

export class SprintService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async list(actor: Actor, boardId: string): Promise<Sprint[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return (await repo.listSprints(this.db, boardId)).map(toSprint);
  }

  async create(actor: Actor, boardId: string, input: CreateSprintInput): Promise<Sprint> {
    await requireBoardPermission(this.db, actor, boardId, 'sprint:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.insertSprint(trx, {
        boardId,
        name: input.name.trim(),
        goal: input.goal ?? '',
        capacity: input.capacity ?? null,
      });
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
      await repo.lockSprintStart(trx, boardId);
      const current = await repo.lockSprint(trx, boardId, sprintId);
      if (!current) throw notFound('sprint');
      const active = await repo.findActiveSprint(trx, boardId);
      const violation = checkStart(current.state as SprintState, active !== undefined);
      if (violation)
        throw new AppError('CONFLICT', `${violation.field}: ${violation.message}`, {
          field: violation.field,
        });

      const todo = await repo.firstTodoColumn(trx, boardId);
      if (!todo) throw invalid('columns', 'the development stream needs a To-do column to start a sprint');
      const cards = await repo.placeSprintCards(trx, sprintId, todo.id, new Date());
      const committed = points(
        cards.map((c) => ({
          id: c.id,
          estimate: c.estimate === null ? null : Number(c.estimate),
          done: false,
        })),
      );
      const row = await repo.updateSprint(trx, sprintId, {
        state: 'active',
        goal: input.goal,
        start_date: input.startDate,
        end_date: input.endDate,
        capacity: input.capacity !== undefined ? input.capacity : current.capacity,
        started_at: new Date(),
        committed_points: committed,
      });
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
      const current = await repo.lockSprint(trx, boardId, sprintId);
      if (!current) throw notFound('sprint');
      const violation = checkComplete(current.state as SprintState);
      if (violation)
        throw new AppError('CONFLICT', `${violation.field}: ${violation.message}`, {
          field: violation.field,
        });
      if (input.carryOver === 'next_sprint') {
        const next = await cardRepo.sprintState(trx, boardId, input.nextSprintId!);
        if (next?.state !== 'planned')
          throw invalid('nextSprintId', 'must be a planned sprint on this board');
      }

      const items = await repo.lockSprintItems(trx, sprintId);
      const { unfinished, completedPoints } = splitAtCompletion(
        items.map((i) => ({
          id: i.id,
          rank: i.rank,
          estimate: i.estimate === null ? null : Number(i.estimate),
          done: isDoneCategory(i.category as ColumnCategory | null),
        })),
      );

      let changed: Card[] = [];
      if (unfinished.length > 0) {
        const top = await cardRepo.edgeRank(trx, boardId, 'top');
        // Carried-over work goes to the very top of the backlog, keeping its order.
        const ranks = input.carryOver === 'backlog' ? generateRanksBefore(top, unfinished.length) : null;
        await repo.carryOver(
          trx,
          unfinished.map((item, index) => ({ id: item.id, rank: ranks ? ranks[index]! : item.rank })),
          input.carryOver === 'next_sprint' ? input.nextSprintId! : null,
        );
        const rows = await cardRepo.cardsByIds(
          trx,
          unfinished.map((u) => u.id),
        );
        changed = rows.map(cardRepo.toCard);
      }
      const row = await repo.updateSprint(trx, sprintId, {
        state: 'completed',
        completed_at: new Date(),
        completed_points: completedPoints,
        carry_over: input.carryOver,
      });
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
      const row = await repo.editSprint(trx, boardId, sprintId, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.goal !== undefined ? { goal: input.goal } : {}),
        ...(input.capacity !== undefined ? { capacity: input.capacity } : {}),
      });
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
