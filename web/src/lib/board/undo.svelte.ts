/**
 * Undo on a board page: every move or edit the user makes here and the server accepts is offered for
 * undoing ("Moved OPS-3 to Done · Undo") and kept on an UndoStack; Ctrl+Z (Cmd+Z) or the offer's
 * button undoes the latest (or that one) as a new change everyone sees, made on the version the
 * user's change left. The server refuses it once anyone changed the card since; the user is told who.
 */
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { Card } from '../../../../protocol/model.ts';
import { compareRanks } from '../../../../protocol/rules/placement.ts';
import type { MoveAck } from '../../../../protocol/socket.ts';
import { ApiError } from '../api.ts';
import { FIELD_NAMES } from './activity-text.ts';
import type { BoardState, OwnChange } from './board-state.svelte.ts';
import {
  type EditEntry,
  editBack,
  type MoveEntry,
  moveBack,
  type Place,
  previousValues,
  type UndoEntry,
  UndoStack,
} from './undo-stack.svelte.ts';
import { STREAM } from './vocabulary.ts';

/** What the user is told: an offer to undo (with `undo`), or how an undo went. */
export interface UndoNotice {
  message: string;
  kind: 'info' | 'success' | 'error';
  undo?: () => void;
}

/** Refusals that may pass (room made in the column, the server less busy): the change stays undoable. */
const PASSING = new Set(['WIP_LIMIT_REACHED', 'OVERLOADED', 'CONFLICT', 'TIMEOUT', 'NETWORK']);

interface LastChange {
  version: number;
  actorId: string | null;
  label: string;
}

export class BoardUndo {
  readonly stack = new UndoStack();
  /** an undo is on its way to the server; another waits for it */
  busy = $state(false);

  readonly #board: BoardState;
  readonly #tell: (notice: UndoNotice) => void;
  /** cardId → the latest change of it this page heard of, to say who changed it */
  readonly #lastChange = new Map<string, LastChange>();
  readonly #stop: (() => void)[];

  constructor(board: BoardState, tell: (notice: UndoNotice) => void) {
    this.#board = board;
    this.#tell = tell;
    this.#stop = [board.onOwnChange((c) => this.#recorded(c)), board.onEvent((e) => this.#heard(e))];
  }

  close(): void {
    for (const stop of this.#stop) stop();
  }

  /** Ctrl+Z: undo the user's latest change on this page. */
  undoLatest(): Promise<void> {
    const latest = this.stack.latest;
    if (!latest) {
      this.#tell({ message: 'Nothing to undo.', kind: 'info' });
      return Promise.resolve();
    }
    return this.undo(latest.id);
  }

  async undo(id: number): Promise<void> {
    const entry = this.stack.find(id);
    if (!entry || this.busy) return;
    this.busy = true;
    try {
      if (!this.#board.byId.has(entry.cardId)) {
        this.stack.forget(entry.cardId);
        this.#tell({ message: `Not undone: ${entry.key} was deleted.`, kind: 'error' });
      } else if (entry.kind === 'move') await this.#undoMove(entry);
      else await this.#undoEdit(entry);
    } finally {
      this.busy = false;
    }
  }

  async #undoMove(entry: MoveEntry): Promise<void> {
    const reply: MoveAck = await this.#board.moveCard(moveBack(entry, this.#board.cards), { undo: true });
    if (reply.ok) {
      const version =
        reply.event.type === 'card.moved' ? reply.event.payload.card.version : entry.version + 1;
      this.stack.undone(entry, version);
      this.#tell({
        message: `Undone: ${entry.key} moved back ${this.#where(entry.to, entry.from)}.`,
        kind: 'success',
      });
      return;
    }
    this.#refused(entry, reply.error, reply.message);
  }

  async #undoEdit(entry: EditEntry): Promise<void> {
    try {
      const card = await this.#board.updateCard(entry.cardId, editBack(entry), { undo: true });
      this.stack.undone(entry, card.version);
      this.#tell({ message: `Undone: ${entry.key}’s ${fieldList(entry)} restored.`, kind: 'success' });
    } catch (err) {
      if (err instanceof ApiError) this.#refused(entry, err.code, err.message);
      else this.#refused(entry, 'NETWORK', err instanceof Error ? err.message : String(err));
    }
  }

  #refused(entry: UndoEntry, code: string, message: string): void {
    if (!PASSING.has(code)) this.stack.remove(entry.id);
    const what = entry.kind === 'move' ? 'move' : 'edit';
    const text =
      code === 'STALE_VERSION'
        ? `Not undone: ${entry.key} was changed ${this.#by(entry)} after your ${what}. Nothing was changed.`
        : code === 'NOT_FOUND'
          ? `Not undone: ${entry.key} was deleted.`
          : `Not undone: ${message}`;
    this.#tell({ message: text, kind: 'error' });
  }

  /** "by Max Ops", from the latest change of the card this page heard of. */
  #by(entry: UndoEntry): string {
    const last = this.#lastChange.get(entry.cardId);
    if (!last || last.version <= entry.version) return 'by someone else';
    return last.actorId === this.#board.me ? 'by you in another window' : `by ${last.label}`;
  }

  #recorded(change: OwnChange): void {
    if (change.kind === 'move') {
      const { card, from } = change.event.payload;
      const held = this.#board.byId.get(card.id);
      const entry = this.stack.push({
        kind: 'move',
        cardId: card.id,
        key: held?.key ?? 'the card',
        version: card.version,
        madeOn: card.version - 1,
        from,
        to: { rank: card.rank, columnId: card.columnId, sprintId: card.sprintId, stream: card.stream },
      });
      this.#offer(entry, `Moved ${entry.key} ${this.#where(from, (entry as MoveEntry).to)}`);
      return;
    }
    const { before, after, input } = change;
    const { version: _madeOn, ...edited } = input;
    const entry = this.stack.push({
      kind: 'edit',
      cardId: after.id,
      key: after.key,
      version: after.version,
      madeOn: input.version,
      previous: previousValues(before, edited),
    });
    this.#offer(entry, `Changed ${entry.key}’s ${fieldList(entry as EditEntry)}`);
  }

  #offer(entry: UndoEntry, message: string): void {
    this.#tell({ message, kind: 'info', undo: () => void this.undo(entry.id) });
  }

  #heard(event: BoardEvent): void {
    const note = (card: Pick<Card, 'id' | 'version'>) =>
      this.#lastChange.set(card.id, {
        version: card.version,
        actorId: event.actor.id,
        label: event.actor.label,
      });
    switch (event.type) {
      case 'card.moved':
      case 'card.updated':
        note(event.payload.card);
        break;
      case 'cards.moved':
      case 'sprint.started':
      case 'sprint.completed':
        for (const card of event.payload.cards) note(card);
        break;
      case 'card.deleted':
        this.stack.forget(event.payload.cardId);
        break;
      default:
    }
  }

  /** Where a move took the card, in words: "to Done", "into Sprint 4", "up the backlog". */
  #where(from: Place, to: Place): string {
    const board = this.#board;
    if (from.columnId !== to.columnId) {
      if (to.columnId) return `to ${board.columnsById.get(to.columnId)?.name ?? 'another column'}`;
      if (from.stream === to.stream) return 'to the backlog';
    }
    if (from.stream !== to.stream) return `to ${STREAM[to.stream]}`;
    if (from.sprintId !== to.sprintId) {
      const name = (id: string) => board.sprints.find((s) => s.id === id)?.name ?? 'the sprint';
      return to.sprintId ? `into ${name(to.sprintId)}` : `out of ${name(from.sprintId!)}`;
    }
    const column = to.columnId ? board.columnsById.get(to.columnId)?.name : undefined;
    const up = compareRanks(to.rank, from.rank) < 0 ? 'up' : 'down';
    return column ? `${up} in ${column}` : `${up} the backlog`;
  }
}

/** "title", "title and estimate", "title, labels and estimate". */
function fieldList(entry: EditEntry): string {
  const names = Object.keys(entry.previous)
    .filter((f) => f !== 'blockedReason' || !('blocked' in entry.previous))
    .map((f) => FIELD_NAMES[f] ?? f);
  return names.length <= 1 ? (names[0] ?? 'fields') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Ctrl+Z, or Cmd+Z on a Mac; not with Shift (redo) or Alt. */
export function isUndoKey(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): boolean {
  return (e.key === 'z' || e.key === 'Z') && (e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey;
}

/** The user is typing in a field: Ctrl+Z there is the browser's own text undo. */
export function typingIn(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]') !== null
  );
}
