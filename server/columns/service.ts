/**
 * Board columns per stream: add, configure (name, category, WIP limit and policy, entry/exit
 * policies; each edit made on the version it was read at), reorder, remove.
 */
import type {
  Column,
  ColumnsReordered,
  CreateColumnInput,
  ReorderColumnsInput,
  UpdateColumnInput,
} from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { planColumnOrder } from '../domain/column-order.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { ColumnUpdate } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as repo from './repo.ts';
import { toColumn } from './repo.ts';

const FIELD_TO_COLUMN = {
  name: 'name',
  category: 'category',
  wipLimit: 'wip_limit',
  wipPolicy: 'wip_policy',
  expediteExempt: 'expedite_exempt',
  entryPolicy: 'entry_policy',
  exitPolicy: 'exit_policy',
} as const;

export class ColumnService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async create(actor: Actor, boardId: string, input: CreateColumnInput): Promise<Column> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      await repo.lockBoard(trx, boardId);
      const existing = await repo.streamColumns(trx, boardId, input.stream);
      const index = Math.min(input.position ?? existing.length, existing.length);
      // Positions are per board; shift the ones after the insertion point.
      const position =
        index < existing.length ? existing[index]!.position : (await repo.maxPosition(trx, boardId)) + 1;
      await repo.shiftFrom(trx, boardId, position);
      const row = await repo.insertColumn(trx, {
        board_id: boardId,
        stream: input.stream,
        name: input.name.trim(),
        category: input.category,
        position,
        wip_limit: input.wipLimit ?? null,
        wip_policy: input.wipPolicy ?? 'hard',
        expedite_exempt: input.expediteExempt ?? true,
        entry_policy: input.entryPolicy ?? '',
        exit_policy: input.exitPolicy ?? '',
      });
      const column = toColumn(row);
      await record({
        boardId,
        type: 'column.created',
        cardId: null,
        actor,
        payload: { column },
      });
      return column;
    });
  }

  /** Refuses an edit made on an older version (409 STALE_VERSION, with the column as it is now). */
  async update(actor: Actor, boardId: string, columnId: string, input: UpdateColumnInput): Promise<Column> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    const set: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(FIELD_TO_COLUMN)) {
      const v = input[field as keyof typeof FIELD_TO_COLUMN];
      if (v !== undefined) set[column] = typeof v === 'string' && field === 'name' ? v.trim() : v;
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const current = await repo.lockColumn(trx, boardId, columnId);
      if (!current) throw notFound('column');
      if (current.version !== input.version) {
        throw new AppError(
          'STALE_VERSION',
          `column "${current.name}" changed since version ${input.version}; reload it`,
          { column: toColumn(current) },
        );
      }
      const column = toColumn(await repo.updateSettings(trx, columnId, set as ColumnUpdate));
      await record({
        boardId,
        type: 'column.updated',
        cardId: null,
        actor,
        payload: { column },
      });
      return column;
    });
  }

  /**
   * Puts a stream's columns in the order given (every column of the stream, once). Concurrent
   * reorders of a board wait for each other on the board row, so each starts from the last one's result.
   */
  async reorder(actor: Actor, boardId: string, input: ReorderColumnsInput): Promise<ColumnsReordered> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      await repo.lockBoard(trx, boardId);
      const current = await repo.streamColumns(trx, boardId, input.stream);
      const plan = planColumnOrder(current, input.columnIds);
      if (plan.kind === 'refuse') throw invalid('columnIds', plan.message);
      await repo.placeColumns(trx, boardId, plan.positions);
      const moved = new Map(plan.positions.map((c) => [c.id, c.position]));
      const columns = current
        .map((row) => toColumn({ ...row, position: moved.get(row.id) ?? row.position }))
        .sort((a, b) => a.position - b.position);
      const event = await record({
        boardId,
        type: 'columns.reordered',
        cardId: null,
        actor,
        payload: { stream: input.stream, columns },
      });
      return { columns, event };
    });
  }

  async remove(actor: Actor, boardId: string, columnId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      // After a reorder that read this column, never beside it: its event would bring the column back.
      await repo.lockBoard(trx, boardId);
      const col = await repo.lockColumn(trx, boardId, columnId);
      if (!col) throw notFound('column');
      if (await repo.holdsCards(trx, columnId))
        throw new AppError('CONFLICT', `column "${col.name}" still holds cards: move them first`, {
          field: 'columnId',
        });
      await repo.deleteColumn(trx, columnId);
      await record({ boardId, type: 'column.deleted', cardId: null, actor, payload: { columnId } });
    });
  }
}
