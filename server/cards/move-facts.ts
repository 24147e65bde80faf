/**
 * The one way a card move is decided, for people (service.ts) and plugins
 * (plugin-host/ticket-writer.ts) alike: the facts come from the row `loadMoves` reads, the pure rules
 * in domain/card-move.ts decide, and a WIP limit is counted under the column's lock. Same facts, same
 * rules, same answer, whoever moves the card.
 */
import type { Card, Stream } from '../../protocol/model.ts';
import * as columnRepo from '../columns/repo.ts';
import { type MoveDecision, type MoveRequest, planMove } from '../domain/card-move.ts';
import type { Category } from '../domain/flow.ts';
import { decideWip, type WipDecision } from '../domain/wip.ts';
import type { Db } from '../infra/database.ts';
import * as repo from './repo.ts';

/** The card before the move and the rules' decision on the request. */
export function decideMove(
  row: repo.MoveRow,
  request: MoveRequest,
  now: Date,
): { before: Card; decision: MoveDecision } {
  const before = repo.toCard(row);
  const column = row.target_column;
  const decision = planMove(
    {
      card: { ...before, startedAt: row.started_at, doneAt: row.done_at },
      column: column
        ? {
            id: column.id,
            name: column.name,
            stream: column.stream as Stream,
            category: column.category as Category,
            wipLimit: column.wip_limit,
            wipPolicy: column.wip_policy as 'hard' | 'warn',
            expediteExempt: column.expedite_exempt,
          }
        : request.columnId
          ? 'missing'
          : null,
      targetSprintState: (row.target_sprint_state as 'planned' | 'active' | 'completed' | null) ?? 'missing',
      activeSprintId: row.active_sprint_id,
      anchor:
        request.afterId || request.beforeId
          ? row.anchor_rank === null
            ? 'missing'
            : { anchor: row.anchor_rank, neighbour: row.neighbour_rank }
          : null,
    },
    request,
    now,
  );
  return { before, decision };
}

/**
 * Counts the column under its lock (so concurrent moves into it queue) and rules on the card joining
 * it; null when the column is gone. Call inside the move's transaction.
 */
export async function decideWipUnderLock(
  trx: Db,
  boardId: string,
  columnId: string,
  card: { id: string; classOfService: Card['classOfService'] },
): Promise<{
  column: NonNullable<Awaited<ReturnType<typeof columnRepo.lockColumn>>>;
  wip: WipDecision;
} | null> {
  const column = await columnRepo.lockColumn(trx, boardId, columnId);
  if (!column) return null;
  const occupancy = await repo.columnOccupancy(trx, column.id, column.expedite_exempt, card.id);
  const wip = decideWip(
    {
      name: column.name,
      wipLimit: column.wip_limit,
      wipPolicy: column.wip_policy as 'hard' | 'warn',
      expediteExempt: column.expedite_exempt,
    },
    occupancy,
    card.classOfService,
  );
  return { column, wip };
}
