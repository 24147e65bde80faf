/**
 * Where a moved card lands, pure: the part of a move the web app shows at once and the server then
 * decides (server/domain/card-move.ts validates the target and computes the rank). Same request,
 * same landing, on both sides.
 */
import type { Stream } from '../model.ts';

/** A fractional backlog key (server/domain/rank.ts makes them); byte order is the backlog order. */
export type Rank = string;

/** Byte-wise comparison: the order PostgreSQL gives with COLLATE "C" (not the locale's). */
export function compareRanks(a: Rank, b: Rank): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Whereabouts {
  stream: Stream;
  columnId: string | null;
  sprintId: string | null;
}

/** What a move asks for; an absent field keeps the card's current value, null clears it. */
export interface PlaceRequest {
  afterId?: string | null;
  beforeId?: string | null;
  columnId?: string | null;
  sprintId?: string | null;
  stream?: Stream;
}

/**
 * The card's stream, column and sprint after the move. A stream change returns the card to the
 * backlog unless a column is named (columns belong to a stream); only development work sits in sprints.
 */
export function landing(card: Whereabouts, request: PlaceRequest): Whereabouts {
  const stream = request.stream ?? card.stream;
  const columnId =
    request.columnId !== undefined ? request.columnId : stream !== card.stream ? null : card.columnId;
  const sprintId =
    stream !== 'development' ? null : request.sprintId !== undefined ? request.sprintId : card.sprintId;
  return { stream, columnId, sprintId };
}

/**
 * The neighbour the card is placed against: right after `afterId` when given, else right before
 * `beforeId`; null when it names neither (the card keeps its rank).
 */
export function anchorOf(request: PlaceRequest): { side: 'after' | 'before'; id: string } | null {
  if (request.afterId) return { side: 'after', id: request.afterId };
  if (request.beforeId) return { side: 'before', id: request.beforeId };
  return null;
}
