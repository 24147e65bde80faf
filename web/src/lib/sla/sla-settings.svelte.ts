/**
 * The Service levels dialog's state: the board's SLA document read from the server as a form, saved
 * back whole, and the server's refusal placed next to the field it names. A save names the revision
 * the form was read at (If-Match), so it never silently replaces someone else's newer save. The
 * dialog also watches the board's `sla.document` events: a save by someone else while this form has
 * no edits is shown at once; with edits, the person is told and chooses to take the saved version
 * or to replace it with theirs.
 */
import type { SlaDocument, SlaDocumentReply } from '../../../../protocol/sla.ts';
import { type Api, ApiError, messageWithoutField } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { documentOf, errorPlaces, formField, formOf, placeOf, type SlaForm } from './sla-settings.ts';

export interface FieldRefusal {
  /** where the form shows it (an entry of errorPlaces), or null: at the top of the dialog */
  place: string | null;
  message: string;
}

export class SlaSettings {
  form = $state<SlaForm | null>(null);
  revision = $state(0);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  loadError = $state<string | null>(null);
  saving = $state(false);
  refusal = $state<FieldRefusal | null>(null);
  /** a version someone else saved while this form had edits */
  savedElsewhere = $state.raw<SlaDocumentReply | null>(null);
  #saved = $state('');
  /** the form says something the board's document does not */
  dirty = $derived(this.form !== null && JSON.stringify(documentOf(this.form)) !== this.#saved);

  readonly #api: Api;
  readonly #board: BoardState;
  #closed = false;
  /** the newest version the board's events announced */
  #latest: SlaDocumentReply | null = null;

  constructor(api: Api, board: BoardState) {
    this.#api = api;
    this.#board = board;
  }

  get #path(): string {
    return `/api/boards/${this.#board.boardId}/sla`;
  }

  async load(): Promise<void> {
    try {
      const reply = await this.#api.request<SlaDocumentReply>('GET', this.#path);
      if (this.#closed) return;
      this.#show(reply);
      this.status = 'ready';
    } catch (err) {
      if (this.#closed) return;
      this.loadError = err instanceof Error ? err.message : String(err);
      this.status = 'error';
    }
  }

  #show(reply: SlaDocumentReply): void {
    const form = formOf(reply.document);
    this.form = form;
    this.revision = reply.revision;
    // what the form gives back unedited (holidays in date order), so `dirty` starts false
    this.#saved = JSON.stringify(documentOf(form));
    this.savedElsewhere = null;
    this.refusal = null;
  }

  /** Saves the form; true when the server took it. A refusal is kept for the field it names. */
  async save(): Promise<boolean> {
    if (!this.form || this.saving) return false;
    const form = this.form;
    const document: SlaDocument = documentOf(form);
    this.saving = true;
    this.refusal = null;
    try {
      // Once told of someone else's save, saving is the choice to replace it: made on that revision.
      const onRevision = this.savedElsewhere?.revision ?? this.revision;
      const reply = await this.#api.request<SlaDocumentReply>('PUT', this.#path, document, {
        'if-match': `"${onRevision}"`,
      });
      // someone else's save that landed after this one is what the board now has
      const latest = this.#latest;
      if (!this.#closed) this.#show(latest && latest.revision > reply.revision ? latest : reply);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'STALE_VERSION') {
        // Saved by someone else before their event reached this page: offer theirs, as the event would.
        const theirs = await this.#api.request<SlaDocumentReply>('GET', this.#path).catch(() => null);
        if (theirs && !this.#closed) this.savedElsewhere = theirs;
        this.refusal = {
          place: null,
          message: 'Not saved: someone else saved the service levels just before you.',
        };
        return false;
      }
      const message = err instanceof Error ? err.message : String(err);
      const field = err instanceof ApiError ? err.field : undefined;
      const place = field ? placeOf(formField(field, form), errorPlaces(form)) : null;
      this.refusal = { place, message: place ? messageWithoutField(message, field) : message };
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** The refusal's message when it belongs at `place`. */
  errorAt = (place: string): string | null => (this.refusal?.place === place ? this.refusal.message : null);

  /** Drops this form's edits for the version someone else saved. */
  takeSaved(): void {
    if (this.savedElsewhere) this.#show(this.savedElsewhere);
  }

  /** Follows other people's saves; returns the way to stop. */
  follow(): () => void {
    const stop = this.#board.onEvent((event) => {
      if (event.type !== 'sla.document') return;
      const reply = { document: event.payload.document, revision: event.payload.revision };
      if (!this.#latest || reply.revision > this.#latest.revision) this.#latest = reply;
      // not read yet (the read will have it), this form's own save, or older
      if (this.status !== 'ready' || this.saving || reply.revision <= this.revision) return;
      if (this.dirty) this.savedElsewhere = reply;
      else this.#show(reply);
    });
    return () => {
      this.#closed = true;
      stop();
    };
  }
}
