/**
 * Dragging a column by its header to put the stream's columns in a new order (the sprint board, the
 * Kanban board). The headers share the board's drag-and-drop with the cards: a column is its own
 * drag type, so a card never lands on a header nor a header in a card list, and `withCards` sends
 * each drag to the one that owns it. While a column is dragged the order is held and follows the
 * pointer (the whole column, cards included, moves with it); the drop is one reorder, shown at once
 * and confirmed by the server's event.
 */
import type { DragDropEvents } from '@dnd-kit/abstract';
import type { DragDropManager, Draggable, Droppable } from '@dnd-kit/dom';
import { move } from '@dnd-kit/helpers';
import { createSortable } from '@dnd-kit/svelte/sortable';
import type { Column, Stream } from '../../../../protocol/model.ts';
import type { BoardState } from './board-state.svelte.ts';

type Events = DragDropEvents<Draggable, Droppable, DragDropManager>;
export interface DragHandlers {
  onDragStart: Events['dragstart'];
  onDragOver: Events['dragover'];
  onDragEnd: Events['dragend'];
}

/** The drag type of column headers; cards have their own. */
const COLUMN = 'column-header';
// Drop lists of the sprint board are named by column id, so a column's drag id must differ.
const PREFIX = 'column:';
const dragId = (columnId: string) => `${PREFIX}${columnId}`;
const columnId = (id: string) => id.slice(PREFIX.length);

const isColumnDrag = (event: { operation: { source: Draggable | null } }) =>
  event.operation.source?.type === COLUMN;

export class ColumnOrderDrag {
  #held = $state.raw<string[] | null>(null);
  readonly #board: BoardState;
  readonly #stream: Stream;
  readonly #source: () => Column[];

  /** @param source the stream's columns as the board has them now, left to right */
  constructor(board: BoardState, stream: Stream, source: () => Column[]) {
    this.#board = board;
    this.#stream = stream;
    this.#source = source;
  }

  /** What to draw: the held order during a drag, the board's otherwise. */
  columns = $derived.by(() => {
    const columns = this.#source();
    if (!this.#held) return columns;
    const byId = new Map(columns.map((c) => [c.id, c]));
    const held = this.#held.map((id) => byId.get(columnId(id))).filter((c) => c !== undefined);
    // A column added by someone else during the drag shows at the end.
    return [...held, ...columns.filter((c) => !this.#held?.includes(dragId(c.id)))];
  });

  /** Column drags here, every other drag to `cards`. */
  withCards(cards: DragHandlers): DragHandlers {
    return {
      onDragStart: (event, manager) =>
        isColumnDrag(event) ? this.#start() : cards.onDragStart(event, manager),
      onDragOver: (event, manager) =>
        isColumnDrag(event) ? this.#over(event) : cards.onDragOver(event, manager),
      onDragEnd: (event, manager) =>
        isColumnDrag(event) ? this.#end(event) : cards.onDragEnd(event, manager),
    };
  }

  #start(): void {
    this.#held = this.#source().map((c) => dragId(c.id));
  }

  #over(event: Parameters<Events['dragover']>[0]): void {
    if (this.#held) this.#held = move(this.#held, event);
  }

  #end(event: Parameters<Events['dragend']>[0]): void {
    const held = this.#held;
    if (!event.canceled && held) {
      const order = held.map(columnId);
      const now = this.#source().map((c) => c.id);
      // The reorder is shown before the hold is released, so the columns never flicker back.
      if (order.join() !== now.join()) void this.#board.reorderColumns(this.#stream, order);
    }
    this.#held = null;
  }
}

/**
 * A column as a sortable item of its stream, dragged by its handle (ColumnDragHandle), or null for
 * those who may not configure columns. Call it once, as the column's component starts: the library
 * makes the handle a button then, so a role change shows when the view reopens.
 * @param column the column's id and its place among the stream's columns as drawn, read on each use
 */
export function createColumnSortable(
  board: Pick<BoardState, 'canConfigureColumns'>,
  stream: Stream,
  column: () => { id: string; index: number },
) {
  if (!board.canConfigureColumns) return null;
  return createSortable({
    get id() {
      return dragId(column().id);
    },
    get index() {
      return column().index;
    },
    group: `columns:${stream}`,
    type: COLUMN,
    accept: COLUMN,
  });
}

export type ColumnSortable = NonNullable<ReturnType<typeof createColumnSortable>>;
