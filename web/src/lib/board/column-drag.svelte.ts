/**
 * Dragging cards between columns (the sprint board, the Kanban board). While a drag is under way the
 * columns are held still and follow the pointer (`move()` in dragover, as @dnd-kit wants for moves
 * across lists); on the drop the card's new column and neighbours become one board move, shown at
 * once and confirmed or returned by the server. A cancelled drag (Escape) restores the columns.
 * A card dropped on a release (a droppable whose data carries `releaseId`) joins that release
 * instead: the columns go back as they were and no board move is made.
 */
import type { DragDropEvents } from '@dnd-kit/abstract';
import type { DragDropManager, Draggable, Droppable } from '@dnd-kit/dom';
import { move } from '@dnd-kit/helpers';
import type { BoardState } from './board-state.svelte.ts';
import { dropPlacement, type Groups } from './column-board.ts';

type Events = DragDropEvents<Draggable, Droppable, DragDropManager>;

const releaseOf = (target: Droppable | null): string | null => {
  const data = target?.data as { releaseId?: unknown } | undefined;
  return typeof data?.releaseId === 'string' ? data.releaseId : null;
};

export class ColumnDrag {
  #held = $state.raw<Groups | null>(null);
  #before: Groups | null = null;
  readonly #board: BoardState;
  readonly #source: () => Groups;
  readonly #columnOf: (group: string) => string | null;
  /** Called when a card is dropped on a release, in place of a column move. */
  onDropInRelease: ((cardId: string, releaseId: string) => void) | null = null;

  /**
   * @param source the columns as the board has them now
   * @param columnOf the column a drop group stands for (null: the backlog)
   */
  constructor(board: BoardState, source: () => Groups, columnOf: (group: string) => string | null) {
    this.#board = board;
    this.#source = source;
    this.#columnOf = columnOf;
  }

  /** What to draw: the held columns during a drag, the board's otherwise. */
  groups = $derived.by(() => this.#held ?? this.#source());
  /** The card being dragged, and the group it was picked up from. */
  activeId = $state<string | null>(null);
  origin = $state<string | null>(null);

  /** Whether the dragged card is over `group`, away from where it started (the drop target highlight). */
  landingIn(group: string): boolean {
    if (this.activeId === null || this.origin === group) return false;
    return this.groups[group]?.some((c) => c.id === this.activeId) ?? false;
  }

  onDragStart: Events['dragstart'] = (event) => {
    const source = event.operation.source;
    if (!source) return;
    const id = String(source.id);
    this.#before = this.#source();
    this.#held = this.#before;
    this.activeId = id;
    this.origin =
      Object.entries(this.#before).find(([, cards]) => cards.some((c) => c.id === id))?.[0] ?? null;
    this.#board.dragging(id);
  };

  onDragOver: Events['dragover'] = (event) => {
    // Over a release the card is shown back where it started: that drop moves it to no column.
    if (releaseOf(event.operation.target)) this.#held = this.#before;
    else if (this.#held) this.#held = move(this.#held, event);
  };

  onDragEnd: Events['dragend'] = (event) => {
    const before = this.#before;
    const after = this.#held;
    const source = event.operation.source;
    this.#before = null;
    this.activeId = null;
    this.origin = null;
    this.#board.dragging(null);
    const releaseId = releaseOf(event.operation.target);
    if (!event.canceled && releaseId && source) {
      this.#held = null;
      this.onDropInRelease?.(String(source.id), releaseId);
      return;
    }
    if (!event.canceled && before && after && source) {
      const placement = dropPlacement(before, after, String(source.id), this.#columnOf);
      // The move is shown before the hold is released, so the card never flickers back.
      if (placement) this.#board.moveCard(placement);
    }
    this.#held = null;
  };
}
