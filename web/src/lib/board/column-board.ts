/**
 * The sprint board and the Kanban board as pure functions over the board's cards: which cards sit in
 * which column (and swimlane), in rank order; where a dropped card landed, as the server's move wants
 * it; how full a WIP-limited column is; how long a card has been in progress.
 */
import type { Card, ClassOfService, Column, Stream } from '../../../../protocol/model.ts';
import { decideWip, wipOccupancy } from '../../../../protocol/rules/wip.ts';
import type { Placement } from './backlog-order.ts';

/** Cards per drop group (a column, or a column within a swimlane), each in rank order. */
export type Groups = Record<string, Card[]>;

export const streamColumns = (columns: readonly Column[], stream: Stream): Column[] =>
  columns.filter((c) => c.stream === stream).sort((a, b) => a.position - b.position);

/**
 * The active sprint's cards by development column. A card added to the sprint after it started has
 * no column yet; it waits in the first To-do column, where the server put the others at the start.
 */
export function sprintGroups(columns: readonly Column[], cards: readonly Card[], sprintId: string): Groups {
  const groups: Groups = Object.fromEntries(columns.map((c) => [c.id, [] as Card[]]));
  const waiting = (columns.find((c) => c.category === 'todo') ?? columns[0])?.id;
  for (const card of cards) {
    if (card.sprintId !== sprintId) continue;
    const at = card.columnId && card.columnId in groups ? card.columnId : card.columnId ? null : waiting;
    if (at) groups[at]!.push(card);
  }
  return groups;
}

// ---- Kanban: columns × swimlanes -------------------------------------------------------------------

export const LANES = ['expedite', 'standard'] as const;
export type Lane = (typeof LANES)[number];
/** The maintenance backlog's head, shown left of the columns as the place work is pulled from. */
export const UP_NEXT = 'up-next';

export const laneOf = (classOfService: ClassOfService): Lane =>
  classOfService === 'expedite' ? 'expedite' : 'standard';

export const groupId = (lane: Lane, columnId: string | null): string => `${lane}:${columnId ?? UP_NEXT}`;

/** The column a Kanban group stands for (null: the backlog). */
export function columnOfGroup(id: string): string | null {
  const column = id.slice(id.indexOf(':') + 1);
  return column === UP_NEXT ? null : column;
}

/**
 * Maintenance cards by swimlane and column, plus the first `upNext` unblocked backlog items of each
 * lane (what a pull would take, expedite first).
 */
export function kanbanGroups(columns: readonly Column[], cards: readonly Card[], upNext = 6): Groups {
  const groups: Groups = {};
  for (const lane of LANES) {
    groups[groupId(lane, null)] = [];
    for (const column of columns) groups[groupId(lane, column.id)] = [];
  }
  for (const card of cards) {
    if (card.stream !== 'maintenance') continue;
    const id = groupId(laneOf(card.classOfService), card.columnId);
    const group = groups[id];
    if (!group) continue;
    if (card.columnId === null && (card.blocked || group.length >= upNext)) continue;
    group.push(card);
  }
  return groups;
}

/** How many maintenance backlog items wait beyond those shown in Up next. */
export function waitingBeyond(cards: readonly Card[], groups: Groups): number {
  const shown = LANES.reduce((n, lane) => n + (groups[groupId(lane, null)]?.length ?? 0), 0);
  return cards.filter((c) => c.stream === 'maintenance' && c.columnId === null).length - shown;
}

// ---- a drop ------------------------------------------------------------------------------------

function locate(groups: Groups, cardId: string): { group: string; index: number } | null {
  for (const [group, cards] of Object.entries(groups)) {
    const index = cards.findIndex((c) => c.id === cardId);
    if (index >= 0) return { group, index };
  }
  return null;
}

/**
 * Where a dragged card landed, compared with where it was: its new column and the neighbours it now
 * sits between (the server turns them into a rank). Null when it is back where it started.
 */
export function dropPlacement(
  before: Groups,
  after: Groups,
  cardId: string,
  columnOf: (group: string) => string | null,
): Placement | null {
  const from = locate(before, cardId);
  const to = locate(after, cardId);
  if (!from || !to) return null;
  const list = after[to.group]!;
  const sameGroup = from.group === to.group;
  if (sameGroup) {
    const was = before[from.group]!.filter((c) => c.id !== cardId);
    const now = list.filter((c) => c.id !== cardId);
    // Same neighbours (remote changes aside) means the card did not move.
    if (from.index === to.index && was.map((c) => c.id).join() === now.map((c) => c.id).join()) return null;
  }
  const placement: Placement = {
    cardId,
    afterId: list[to.index - 1]?.id ?? null,
    beforeId: list[to.index + 1]?.id ?? null,
  };
  const fromColumn = columnOf(from.group);
  const toColumn = columnOf(to.group);
  const card = list[to.index]!;
  // A sprint card waiting without a column is shown in To do; dropping it anywhere gives it one.
  if (fromColumn !== toColumn || card.columnId !== toColumn) placement.columnId = toColumn;
  return placement;
}

// ---- WIP limits and ageing ---------------------------------------------------------------------

export type WipLevel = 'none' | 'under' | 'at' | 'over';

/** How full the column is, counted by the server's WIP rules (protocol/rules/wip.ts). */
export function wipStatus(column: Column, cards: readonly Card[]): { count: number; level: WipLevel } {
  const count = wipOccupancy(column, cards);
  if (column.wipLimit === null) return { count, level: 'none' };
  return {
    count,
    level: count > column.wipLimit ? 'over' : count === column.wipLimit ? 'at' : 'under',
  };
}

/** Whole days since the card was started (in progress), or null when it has not started. */
export function ageInDays(startedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  return Math.max(0, Math.floor((now - Date.parse(startedAt)) / 86_400_000));
}

export type AgeLevel = 'fresh' | 'ageing' | 'stale';
/** Thresholds a maintenance team reads at a glance: under 3 days fine, a week is too long. */
export const ageLevel = (days: number): AgeLevel => (days >= 7 ? 'stale' : days >= 3 ? 'ageing' : 'fresh');

/**
 * What a full column will say to a card held over it, by the server's WIP rule (the server decides
 * on the drop; this is the warning while the card is still in the air). Null when it will take it.
 */
export function refusalFor(column: Column, card: Card, cards: readonly Card[]): string | null {
  if (card.columnId === column.id) return null; // already in it: not counted again
  return decideWip(column, wipOccupancy(column, cards), card.classOfService).kind === 'refuse'
    ? `${column.name} is full: WIP limit ${column.wipLimit}`
    : null;
}
