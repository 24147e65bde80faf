/** Board columns per stream: add, configure (name, category, WIP limit and policy, entry/exit policies), remove. */
import { sql } from 'kysely';
import type { Column, CreateColumnInput, UpdateColumnInput } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { toColumn } from '../boards/service.ts';
import type { Db } from '../infra/database.ts';
import { AppError, notFound } from '../infra/errors.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';

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
      await sql`select 1 from boards where id = ${boardId} for update`.execute(trx);
      const existing = await trx
        .selectFrom('board_columns')
        .select(['id', 'position'])
        .where('board_id', '=', boardId)
        .where('stream', '=', input.stream)
        .orderBy('position')
        .execute();
      const index = Math.min(input.position ?? existing.length, existing.length);
      // Positions are per board; shift the ones after the insertion point.
      const position =
        index < existing.length ? existing[index]!.position : (await this.maxPosition(trx, boardId)) + 1;
      await trx
        .updateTable('board_columns')
        .set((eb) => ({ position: eb('position', '+', 1) }))
        .where('board_id', '=', boardId)
        .where('position', '>=', position)
        .execute();
      const row = await trx
        .insertInto('board_columns')
        .values({
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
        })
        .returningAll()
        .executeTakeFirstOrThrow();
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

  private async maxPosition(db: Db, boardId: string): Promise<number> {
    const r = await db
      .selectFrom('board_columns')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('board_id', '=', boardId)
      .executeTakeFirst();
    return r?.p ?? -1;
  }

  async update(actor: Actor, boardId: string, columnId: string, input: UpdateColumnInput): Promise<Column> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    const set: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(FIELD_TO_COLUMN)) {
      const v = input[field as keyof UpdateColumnInput];
      if (v !== undefined) set[column] = typeof v === 'string' && field === 'name' ? v.trim() : v;
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await trx
        .updateTable('board_columns')
        .set(set)
        .where('id', '=', columnId)
        .where('board_id', '=', boardId)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('column');
      const column = toColumn(row);
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

  async remove(actor: Actor, boardId: string, columnId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const col = await trx
        .selectFrom('board_columns')
        .select(['id', 'name'])
        .where('id', '=', columnId)
        .where('board_id', '=', boardId)
        .forUpdate()
        .executeTakeFirst();
      if (!col) throw notFound('column');
      const used = await trx
        .selectFrom('cards')
        .select('id')
        .where('column_id', '=', columnId)
        .limit(1)
        .executeTakeFirst();
      if (used)
        throw new AppError('CONFLICT', `column "${col.name}" still holds cards: move them first`, {
          field: 'columnId',
        });
      await trx.deleteFrom('board_columns').where('id', '=', columnId).execute();
      await record({ boardId, type: 'column.deleted', cardId: null, actor, payload: { columnId } });
    });
  }
}
