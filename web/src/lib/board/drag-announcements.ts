/**
 * What a screen reader hears while a card or a column is carried (the drag library's live region):
 * the card's key and title, or the column's name, and where a drop would put it now, instead of the
 * ids the library reads out by default. A view describes what it shows as a `DragScene`; the texts
 * come from the library's events and that scene alone, so they are tested without a browser.
 *
 * Where a carried card is: the library's sortable keeps its group and index up to date as the view
 * re-draws, and then sends one more `dragover` with the card over itself. Events that arrive before
 * the re-draw (the card over a neighbour, or over an empty column) still show the old place, so a
 * place is announced only when it differs from the last one said: each move is heard once, with the
 * position the view really shows. A drop into a column whose hard WIP limit refuses the card is
 * announced as refused, with where the card stays.
 */
import type { Accessibility, Draggable, Droppable } from '@dnd-kit/dom';
import type { Card, Column } from '../../../../protocol/model.ts';
import type { BoardState } from './board-state.svelte.ts';
import { type Groups, refusalFor } from './column-board.ts';

/** A list a card is carried in: a column (in a swimlane on the Kanban), Up next, the backlog. */
export interface CardList {
  /** what the user calls it: the column's name, "Up next", "the backlog" */
  name: string;
  /** how many cards it shows now, the carried one included */
  size: number;
  /** the 0-based position of its first drawn card (a windowed list draws a slice); 0 otherwise */
  offset?: number;
  /** what the server will answer to the carried card dropped here (a full, hard-limited column) */
  warning?: string | null;
}

export interface DragScene {
  card(id: string): Pick<Card, 'key' | 'title'> | undefined;
  /** the columns a column is carried among, as drawn left to right */
  columns(): readonly Pick<Column, 'id' | 'name'>[];
  /** the list a sortable group stands for, with the carried card in it */
  list(group: string | null, cardId: string): CardList | undefined;
  /** a sprint's name: the backlog's Sprints panel takes cards dropped on a sprint */
  sprint?(sprintId: string): string | undefined;
  /** a release's name ("release 2.4.0"): the backlog's Releases panel takes cards dropped on one */
  release?(releaseId: string): string | undefined;
  /** how many other ticked cards join a sprint with this one (it is ticked too), else 0 */
  companions?(cardId: string): number;
}

/** The Accessibility plugin's announcements (the library does not export the type by name). */
export type Announcements = NonNullable<
  NonNullable<ConstructorParameters<typeof Accessibility>[1]>['announcements']
>;

// Column drags carry `column:<column id>` (column-order-drag.svelte.ts); cards carry their own id.
const COLUMN_PREFIX = 'column:';

type Operation = { source: Draggable | null; target: Droppable | null };

/** Where the carried thing would land if dropped now; `key` tells one place from another. */
type Place =
  | { kind: 'list'; key: string; list: CardList; index: number }
  | { kind: 'sprint'; key: string; name: string; others: number }
  | { kind: 'columns'; key: string; index: number; total: number };

/** What a sortable draggable adds to a plain one (read by shape, so tests can pass plain objects). */
type SortableFields = { index?: unknown; group?: unknown };

/** The sortable's group and index as drawn now; null for a plain draggable. */
function sortablePlace(source: Draggable): { group: string | null; index: number } | null {
  const { index, group } = source as Draggable & SortableFields;
  if (typeof index !== 'number') return null;
  return { group: group === undefined || group === null ? null : String(group), index };
}

const sprintIdOf = (target: Droppable | null): string | null => {
  const sprintId = (target?.data as { sprintId?: unknown } | undefined)?.sprintId;
  return typeof sprintId === 'string' ? sprintId : null;
};

const releaseIdOf = (target: Droppable | null): string | null => {
  const releaseId = (target?.data as { releaseId?: unknown } | undefined)?.releaseId;
  return typeof releaseId === 'string' ? releaseId : null;
};

const position = (index: number, total: number) => `position ${index + 1} of ${total}`;
/** Capitalised and closed with a full stop (unless it ends in one already, as a title may). */
const sentence = (text: string) =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

/** The library's announcements for one drag-and-drop area, in the words of the scene. */
export function dragAnnouncements(scene: DragScene): Announcements {
  /** where the drag started: a card carried to another list is drawn anew there, and forgets it */
  let from: Place | null = null;
  /** the place last said (or picked up from), so a place is announced once */
  let said: string | null = null;

  const isColumn = (source: Draggable) => String(source.id).startsWith(COLUMN_PREFIX);
  const columnName = (source: Draggable) => {
    const id = String(source.id).slice(COLUMN_PREFIX.length);
    return scene.columns().find((c) => c.id === id)?.name;
  };

  function cardPlace(source: Draggable, group: string | null, index: number): Place | null {
    const list = scene.list(group, String(source.id));
    if (!list) return null;
    return { kind: 'list', key: `list:${group}:${index}`, list, index: (list.offset ?? 0) + index };
  }

  function placeOf({ source, target }: Operation): Place | null {
    if (!source) return null;
    const sprintId = sprintIdOf(target);
    if (sprintId !== null && !isColumn(source)) {
      const name = scene.sprint?.(sprintId);
      if (name === undefined) return null;
      const others = scene.companions?.(String(source.id)) ?? 0;
      return { kind: 'sprint', key: `sprint:${sprintId}`, name, others };
    }
    const releaseId = releaseIdOf(target);
    if (releaseId !== null && !isColumn(source)) {
      const name = scene.release?.(releaseId);
      if (name === undefined) return null;
      const others = scene.companions?.(String(source.id)) ?? 0;
      // Said as a sprint drop is: "is over release 2.4.0", "dropped in release 2.4.0".
      return { kind: 'sprint', key: `release:${releaseId}`, name, others };
    }
    const at = sortablePlace(source);
    if (!at) return null;
    if (isColumn(source)) {
      // A column the view does not draw (removed meanwhile) has no place among those it does.
      if (columnName(source) === undefined) return null;
      return { kind: 'columns', key: `columns:${at.index}`, index: at.index, total: scene.columns().length };
    }
    return cardPlace(source, at.group, at.index);
  }

  /** "OPS-12" (for a card) or "column In progress", or a stand-in when the view does not know it. */
  function subject(source: Draggable): { short: string; full: string } {
    if (isColumn(source)) {
      const name = columnName(source);
      return name === undefined
        ? { short: 'the column', full: 'a column' }
        : { short: `column ${name}`, full: `column ${name}` };
    }
    const card = scene.card(String(source.id));
    return card
      ? { short: card.key, full: `${card.key} ${card.title}` }
      : { short: 'the card', full: 'a card' };
  }

  /** ", with 3 other ticked cards" when ticked cards join the sprint with the carried one. */
  function withOthers(n: number): string {
    return n > 0 ? `, with ${n} other ticked ${n === 1 ? 'card' : 'cards'}` : '';
  }

  /** The place while carried: "is over In progress, position 3 of 5" / "is at position 2 of 4". */
  function over(place: Place): string {
    if (place.kind === 'sprint') return `is over ${place.name}${withOthers(place.others)}`;
    if (place.kind === 'columns') return `is at ${position(place.index, place.total)}`;
    const warning = place.list.warning ? `. ${place.list.warning}` : '';
    return `is over ${place.list.name}, ${position(place.index, place.list.size)}${warning}`;
  }

  function droppedAt(place: Place): string {
    if (place.kind === 'sprint') return `dropped in ${place.name}${withOthers(place.others)}`;
    if (place.kind === 'columns') return `dropped at ${position(place.index, place.total)}`;
    return `dropped in ${place.list.name}, ${position(place.index, place.list.size)}`;
  }

  function moved(operation: Operation): string | undefined {
    const { source } = operation;
    if (!source) return undefined;
    const place = placeOf(operation);
    if (!place || place.key === said) return undefined;
    said = place.key;
    return sentence(`${subject(source).short} ${over(place)}`);
  }

  return {
    dragstart({ operation }) {
      const { source } = operation;
      if (!source) return undefined;
      const place = placeOf(operation);
      from = place;
      said = place?.key ?? null;
      const where =
        place?.kind === 'list'
          ? ` It is in ${place.list.name}, ${position(place.index, place.list.size)}.`
          : place?.kind === 'columns'
            ? ` It is at ${position(place.index, place.total)}.`
            : '';
      return `${sentence(`Picked up ${subject(source).full}`)}${where}`;
    },
    dragover: ({ operation }) => moved(operation),
    // A pointer drag may settle in its new place without one more dragover.
    dragmove: ({ operation }) => moved(operation),
    dragend({ operation, canceled }) {
      const { source } = operation;
      const back = from;
      from = null;
      said = null;
      if (!source) return undefined;
      const who = subject(source).short;
      if (canceled) {
        const where =
          back?.kind === 'list'
            ? ` It is back in ${back.list.name}.`
            : back?.kind === 'columns'
              ? ` It is back at position ${back.index + 1}.`
              : '';
        return `Moving ${who} was cancelled.${where}`;
      }
      const place = placeOf(operation);
      // A drop the server will refuse (a full, hard-limited column) is said as its outcome: the card
      // stays where it was, never "dropped in In progress, position 2 of 4" followed by a refusal.
      if (place?.kind === 'list' && place.list.warning) {
        const stays = back?.kind === 'list' ? ` It stays in ${back.list.name}.` : '';
        return `${who} was not moved: ${place.list.warning}.${stays}`;
      }
      return sentence(place ? `${who} ${droppedAt(place)}` : `${who} dropped`);
    },
  };
}

/**
 * The scene of a board of columns (the sprint board, the Kanban): cards by their board entry, lists
 * named after their column ("Up next" for the Kanban's head of the backlog), sized as drawn, and
 * warned when the column's hard WIP limit will refuse the card.
 */
export function columnBoardScene(
  board: Pick<BoardState, 'byId' | 'columns' | 'cards'>,
  view: {
    /** the stream's columns as drawn, left to right */
    columns: () => readonly Column[];
    /** the cards of each drop group as drawn */
    groups: () => Groups;
    /** the column a drop group stands for (null: the backlog) */
    columnOf: (group: string) => string | null;
  },
): DragScene {
  return {
    card: (id) => board.byId.get(id),
    columns: view.columns,
    list(group, cardId) {
      const cards = group === null ? undefined : view.groups()[group];
      if (group === null || !cards) return undefined;
      const columnId = view.columnOf(group);
      if (columnId === null) return { name: 'Up next', size: cards.length };
      const column = board.columns.find((c) => c.id === columnId);
      if (!column) return undefined;
      const card = board.byId.get(cardId);
      return {
        name: column.name,
        size: cards.length,
        warning: card ? refusalFor(column, card, board.cards) : null,
      };
    },
  };
}

/** The scene of the ranked backlog: one list, drawn as a window onto `rows`, beside the sprints. */
export function backlogScene(
  board: Pick<BoardState, 'byId' | 'sprints' | 'releases'>,
  view: {
    /** the cards in the order the list shows them */
    rows: () => readonly Card[];
    /** the index in `rows` of the first drawn row */
    offset: () => number;
    /** the ticked cards: a ticked card dropped on a sprint takes them all along */
    ticked?: { has(cardId: string): boolean; size: number };
  },
): DragScene {
  return {
    card: (id) => board.byId.get(id),
    columns: () => [],
    list: () => ({ name: 'the backlog', size: view.rows().length, offset: view.offset() }),
    sprint: (sprintId) => board.sprints.find((s) => s.id === sprintId)?.name,
    release: (releaseId) => {
      const release = board.releases.find((r) => r.id === releaseId);
      return release ? `release ${release.version}` : undefined;
    },
    companions: (cardId) => (view.ticked?.has(cardId) ? view.ticked.size - 1 : 0),
  };
}
