/**
 * Card moves, pure: given what the board holds at the moment of the move (the card, the column and
 * sprint it would land in, the ranks around its drop point, the active sprint), decide where the card
 * lands — stream, column, sprint, rank, flow stamps — or why it may not go there.
 *
 * What this cannot decide alone is a WIP limit: that needs a count taken under the column's lock, so
 * the plan says which column must be counted (`wipCheck`) and `decideWip` rules on the count.
 */
import type { ClassOfService, Stream } from '../../protocol/model.ts';
import { anchorOf, landing } from '../../protocol/rules/placement.ts';
import { type Category, flowAfterMove } from './flow.ts';
import { placeRank, type Rank } from './rank.ts';
import type { WipColumn } from './wip.ts';

export interface MoveRequest {
  afterId?: string | null;
  beforeId?: string | null;
  /** undefined keeps the card's column, null takes it out of any column (back to the backlog) */
  columnId?: string | null;
  /** undefined keeps the card's sprint, null takes it out of its sprint */
  sprintId?: string | null;
  stream?: Stream;
}

export interface CardBeforeMove {
  id: string;
  /** the card's key (PAY-12), named in refusals about several cards */
  key: string;
  stream: Stream;
  columnId: string | null;
  sprintId: string | null;
  rank: Rank;
  classOfService: ClassOfService;
  startedAt: Date | null;
  doneAt: Date | null;
}

export interface ColumnFacts extends WipColumn {
  id: string;
  stream: Stream;
  category: Category;
}

/** What the database found for the names in the request; 'missing' = named but not on this board. */
export interface MoveFacts {
  card: CardBeforeMove;
  /** the column the card would sit in (the named one, else its current one) */
  column: ColumnFacts | null | 'missing';
  /** the state of the sprint the request names (only looked up when it names one) */
  targetSprintState: 'planned' | 'active' | 'completed' | null | 'missing';
  activeSprintId: string | null;
  /** the anchor's rank and its global neighbour on the far side, ignoring the moving card */
  anchor: { anchor: Rank; neighbour: Rank | null } | null | 'missing';
}

export interface MovePlan {
  stream: Stream;
  columnId: string | null;
  sprintId: string | null;
  rank: Rank;
  startedAt: Date | null;
  doneAt: Date | null;
  changesStream: boolean;
  /** set when the card enters a column whose WIP limit it counts toward: count it under the column's lock */
  wipCheck: (ColumnFacts & { wipLimit: number }) | null;
}

export interface MoveRefusal {
  field: keyof MoveRequest;
  message: string;
}

export type MoveDecision = { ok: true; plan: MovePlan } | { ok: false; refusal: MoveRefusal };

const refuse = (field: keyof MoveRequest, message: string): MoveDecision => ({
  ok: false,
  refusal: { field, message },
});

/**
 * Only development cards join sprints: a move (of one card or several) that names a sprint for cards
 * that are, or are being handed over to, another stream is refused, naming those cards.
 */
export function refuseSprintOutsideDevelopment(
  cards: readonly { key: string; stream: Stream }[],
  request: { sprintId?: string | null; stream?: Stream },
): MoveRefusal | null {
  if (!request.sprintId) return null;
  const outside = cards.filter((c) => (request.stream ?? c.stream) !== 'development');
  if (outside.length === 0) return null;
  return {
    field: 'sprintId',
    message: `only development cards join sprints: ${outside.map((c) => c.key).join(', ')}`,
  };
}

export function planMove(facts: MoveFacts, request: MoveRequest, now: Date): MoveDecision {
  const { card } = facts;
  if (request.afterId === card.id || request.beforeId === card.id) {
    return refuse(
      request.afterId === card.id ? 'afterId' : 'beforeId',
      'a card cannot be placed next to itself',
    );
  }
  // Where the card lands (the rule the web app shows at once): stream, column, sprint.
  const landed = landing(card, request);
  const { stream } = landed;
  const changesStream = stream !== card.stream;
  let columnId = landed.columnId;
  const sprintId = landed.sprintId;
  let category: Category | null = null;
  let wipCheck: MovePlan['wipCheck'] = null;
  if (columnId) {
    const column = facts.column;
    if (column === 'missing' || column === null || column.id !== columnId) {
      return refuse('columnId', 'no such column on this board');
    }
    if (column.stream !== stream) {
      return refuse(
        'columnId',
        `column "${column.name}" belongs to the ${column.stream} stream, the card to ${stream}`,
      );
    }
    category = column.category;
    const entering = columnId !== card.columnId;
    if (entering && column.wipLimit !== null) wipCheck = { ...column, wipLimit: column.wipLimit };
  }

  // Sprint: only development cards are in sprints. Naming a sprint for another stream's card is
  // refused, as the bulk move refuses it; a handover to another stream just leaves the sprint.
  const sprintRefusal = refuseSprintOutsideDevelopment([card], request);
  if (sprintRefusal) return { ok: false, refusal: sprintRefusal };
  if (sprintId && sprintId !== card.sprintId) {
    if (facts.targetSprintState === 'missing' || facts.targetSprintState === null) {
      return refuse('sprintId', 'no such sprint on this board');
    }
    if (facts.targetSprintState === 'completed') return refuse('sprintId', 'the sprint is already completed');
  }

  // The development stream's columns are the active sprint's board: a card outside that sprint has no column.
  const inActiveSprint = facts.activeSprintId !== null && sprintId === facts.activeSprintId;
  if (stream === 'development' && columnId && !inActiveSprint) {
    if (request.columnId !== undefined && request.columnId !== card.columnId) {
      return refuse(
        'columnId',
        facts.activeSprintId
          ? 'only cards in the active sprint go on the sprint board: add the card to the sprint first'
          : 'no sprint is active: start a sprint before working its cards on the sprint board',
      );
    }
    columnId = null;
    category = null;
    wipCheck = null;
  }

  let rank: Rank;
  const anchor = anchorOf(request);
  if (anchor) {
    const field = anchor.side === 'after' ? 'afterId' : 'beforeId';
    if (facts.anchor === null || facts.anchor === 'missing')
      return refuse(field, 'no such card on this board');
    rank =
      anchor.side === 'after'
        ? placeRank({ kind: 'after', anchor: facts.anchor.anchor, next: facts.anchor.neighbour })
        : placeRank({ kind: 'before', anchor: facts.anchor.anchor, previous: facts.anchor.neighbour });
  } else {
    rank = card.rank;
  }

  const flow = flowAfterMove(
    { startedAt: card.startedAt, doneAt: card.doneAt },
    columnId ? category : null,
    now,
  );
  return {
    ok: true,
    plan: {
      stream,
      columnId,
      sprintId,
      rank,
      startedAt: flow.startedAt,
      doneAt: flow.doneAt,
      changesStream,
      wipCheck,
    },
  };
}
