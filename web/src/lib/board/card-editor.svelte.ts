/**
 * Editing one card: a draft of its fields, the version the edit started from, and the save. The
 * server refuses an edit made on an old version (STALE_VERSION) and sends the current card: the
 * editor then shows the current values and says so — it never writes over someone else's change.
 */
import type { Card, UpdateCardInput } from '../../../../protocol/model.ts';
import { ApiError } from '../api.ts';
import { describeValue } from './activity-text.ts';
import type { BoardState } from './board-state.svelte.ts';

export interface CardDraft {
  title: string;
  description: string;
  type: Card['type'];
  stream: Card['stream'];
  priority: Card['priority'];
  classOfService: Card['classOfService'];
  /** as typed; '' is no estimate */
  estimate: string;
  /** comma-separated */
  labels: string;
  /** '' is unassigned */
  assigneeId: string;
  blocked: boolean;
  blockedReason: string;
}

export type EditableChanges = Omit<UpdateCardInput, 'version'>;

export function draftOf(card: Card): CardDraft {
  return {
    title: card.title,
    description: card.description,
    type: card.type,
    stream: card.stream,
    priority: card.priority,
    classOfService: card.classOfService,
    estimate: card.estimate === null ? '' : String(card.estimate),
    labels: card.labels.join(', '),
    assigneeId: card.assigneeId ?? '',
    blocked: card.blocked,
    blockedReason: card.blockedReason,
  };
}

export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}

export function parseEstimate(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 1000 ? n : 'invalid';
}

/** The fields the draft changes relative to `card`, in the server's shape. */
export function changesBetween(card: Card, draft: CardDraft): EditableChanges {
  const out: EditableChanges = {};
  if (draft.title.trim() !== card.title) out.title = draft.title.trim();
  if (draft.description !== card.description) out.description = draft.description;
  if (draft.type !== card.type) out.type = draft.type;
  if (draft.stream !== card.stream) out.stream = draft.stream;
  if (draft.priority !== card.priority) out.priority = draft.priority;
  if (draft.classOfService !== card.classOfService) out.classOfService = draft.classOfService;
  const estimate = parseEstimate(draft.estimate);
  if (estimate !== 'invalid' && estimate !== card.estimate) out.estimate = estimate;
  const labels = parseLabels(draft.labels);
  if (labels.join('\u0000') !== card.labels.join('\u0000')) out.labels = labels;
  const assigneeId = draft.assigneeId || null;
  if (assigneeId !== card.assigneeId) out.assigneeId = assigneeId;
  if (draft.blocked !== card.blocked) out.blocked = draft.blocked;
  const reason = draft.blocked ? draft.blockedReason.trim() : '';
  if (reason !== card.blockedReason) out.blockedReason = reason;
  return out;
}

export type EditorNotice = { kind: 'conflict' | 'error' | 'saved'; text: string };

export class CardEditor {
  readonly cardId: string;
  base = $state.raw<Card>() as Card;
  draft = $state<CardDraft>() as CardDraft;
  saving = $state(false);
  notice = $state<EditorNotice | null>(null);
  invalidField = $state<string | null>(null);

  readonly #board: BoardState;

  constructor(board: BoardState, card: Card) {
    this.#board = board;
    this.cardId = card.id;
    this.reset(card);
  }

  changes = $derived.by(() => changesBetween(this.base, this.draft));
  dirty = $derived.by(
    () => Object.keys(this.changes).length > 0 || parseEstimate(this.draft.estimate) === 'invalid',
  );
  /** The card as the board has it right now (undefined once deleted). */
  live = $derived.by(() => this.#board.byId.get(this.cardId));
  /** Someone changed the card since this edit began. */
  changedUnderneath = $derived.by(() => this.live !== undefined && this.live.version !== this.base.version);

  reset(card: Card): void {
    this.base = card;
    this.draft = draftOf(card);
    this.invalidField = null;
  }

  /** Keep an untouched form in step with the board; a touched one keeps the user's words. */
  follow(): void {
    const live = this.live;
    if (live && live.version > this.base.version && !this.dirty) this.reset(live);
  }

  discard(): void {
    this.reset(this.live ?? this.base);
    this.notice = null;
  }

  async save(): Promise<boolean> {
    this.notice = null;
    if (this.draft.title.trim() === '') return this.#invalid('title', 'A card needs a title.');
    if (parseEstimate(this.draft.estimate) === 'invalid')
      return this.#invalid('estimate', 'The estimate is a number of points from 0 to 1000.');
    const changes = this.changes;
    if (Object.keys(changes).length === 0) return true;
    this.saving = true;
    try {
      const card = await this.#board.updateCard(this.cardId, { version: this.base.version, ...changes });
      this.reset(card);
      this.notice = { kind: 'saved', text: 'Saved.' };
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'STALE_VERSION' && err.card) {
        const lost = Object.entries(changes)
          .slice(0, 3)
          .map(
            ([field, value]) =>
              `${field === 'assigneeId' ? 'assignee' : field} ${describeValue(field, value, this.#board.memberNames)}`,
          )
          .join(', ');
        this.reset(err.card);
        this.notice = {
          kind: 'conflict',
          text: `${err.card.key} was changed by someone else while you were editing, so your changes were not saved. The current values are shown${lost ? ` (yours were: ${lost})` : ''}.`,
        };
      } else if (err instanceof ApiError && err.code === 'VALIDATION_FAILED' && err.field) {
        this.#invalid(err.field, err.message);
      } else {
        this.notice = { kind: 'error', text: err instanceof Error ? err.message : String(err) };
      }
      return false;
    } finally {
      this.saving = false;
    }
  }

  #invalid(field: string, text: string): false {
    this.invalidField = field;
    this.notice = { kind: 'error', text };
    return false;
  }
}
