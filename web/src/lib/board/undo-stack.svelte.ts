/**
 * The user's own recent moves and edits on this page, newest last, each with what undoing it takes:
 * the card's place or field values before the change, and the version the change left the card at.
 * An undo is a new change made on that version, so the server refuses it once anyone has changed the
 * card since (STALE_VERSION). What to send for an undo is decided here, purely: `moveBack`, `editBack`.
 */
import type { Card, Stream, UpdateCardInput } from '../../../../protocol/model.ts';
import { compareRanks } from '../../../../protocol/rules/placement.ts';
import type { Placement } from './backlog-order.ts';

/** Where a card was: its place before a move. */
export interface Place {
  rank: string;
  columnId: string | null;
  sprintId: string | null;
  stream: Stream;
}

export type EditableFields = Omit<UpdateCardInput, 'version'>;

interface EntryBase {
  id: number;
  cardId: string;
  key: string;
  /** the version the change left the card at: an undo is made on it */
  version: number;
  /** the version the change was made on (the card's version before it) */
  madeOn: number;
}

export interface MoveEntry extends EntryBase {
  kind: 'move';
  from: Place;
  to: Place;
}

export interface EditEntry extends EntryBase {
  kind: 'edit';
  /** the edited fields' values before the edit */
  previous: EditableFields;
}

export type UndoEntry = MoveEntry | EditEntry;
export type NewUndoEntry = Omit<MoveEntry, 'id'> | Omit<EditEntry, 'id'>;

/** How many changes are kept; older ones fall off. */
export const UNDO_DEPTH = 20;

export class UndoStack {
  #entries = $state.raw<UndoEntry[]>([]);
  #next = 1;

  readonly latest = $derived(this.#entries.at(-1));
  readonly size = $derived(this.#entries.length);

  get entries(): readonly UndoEntry[] {
    return this.#entries;
  }

  /** Remember a change the server accepted; returns it with its id. */
  push(entry: NewUndoEntry): UndoEntry {
    const added = { ...entry, id: this.#next++ } as UndoEntry;
    this.#entries = [...this.#entries, added].slice(-UNDO_DEPTH);
    return added;
  }

  find(id: number): UndoEntry | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** Take an entry off the stack (undone, or refused for good). */
  remove(id: number): void {
    this.#entries = this.#entries.filter((e) => e.id !== id);
  }

  /**
   * `entry` was undone, leaving its card at `version`. The card is now as the user's change before it
   * left it, so that earlier change (if it was the last one on the card) can be undone next, from
   * the new version.
   */
  undone(entry: UndoEntry, version: number): void {
    this.#entries = this.#entries
      .filter((e) => e.id !== entry.id)
      .map((e) => (e.cardId === entry.cardId && e.version === entry.madeOn ? { ...e, version } : e));
  }

  /** The card is gone: nothing of it can be undone. */
  forget(cardId: string): void {
    if (this.#entries.some((e) => e.cardId === cardId))
      this.#entries = this.#entries.filter((e) => e.cardId !== cardId);
  }
}

/**
 * The move that undoes `entry`: the card back to its column, sprint and stream, placed where its old
 * rank falls among the cards as they are now (between its old neighbours if they are still there,
 * else between the cards that now surround that spot), made on the version the user's move left.
 * Only what the user's move changed is named, so the undo asks for nothing else.
 */
export function moveBack(entry: MoveEntry, cards: readonly Card[]): Placement & { expectedVersion: number } {
  let above: Card | undefined;
  let below: Card | undefined;
  for (const c of cards) {
    if (c.id === entry.cardId) continue;
    if (compareRanks(c.rank, entry.from.rank) < 0) {
      if (!above || compareRanks(c.rank, above.rank) > 0) above = c;
    } else if (!below || compareRanks(c.rank, below.rank) < 0) below = c;
  }
  const { from, to } = entry;
  return {
    cardId: entry.cardId,
    ...(above ? { afterId: above.id } : below ? { beforeId: below.id } : {}),
    ...(from.stream !== to.stream ? { stream: from.stream } : {}),
    ...(from.columnId !== to.columnId || from.stream !== to.stream ? { columnId: from.columnId } : {}),
    ...(from.sprintId !== to.sprintId ? { sprintId: from.sprintId } : {}),
    expectedVersion: entry.version,
  };
}

/** The edit that undoes `entry`: the previous values, made on the version the user's edit left. */
export function editBack(entry: EditEntry): UpdateCardInput {
  return { ...entry.previous, version: entry.version };
}

/** The fields an edit changed and their values before it, from the card before and the edit sent. */
export function previousValues(before: Card, edit: EditableFields): EditableFields {
  const previous: Record<string, unknown> = {};
  for (const field of Object.keys(edit) as (keyof EditableFields)[]) {
    if (edit[field] === undefined) continue;
    previous[field] = before[field];
  }
  return previous as EditableFields;
}
