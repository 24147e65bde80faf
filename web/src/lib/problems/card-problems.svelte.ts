/**
 * What the card panel shows of problems and known errors for one card: its links, its problem record
 * (a problem), the workarounds of the known errors it matches and its major-incident record (an
 * incident). Loaded over HTTP, then reloaded when a board event touches the card or what it is
 * linked with, so a link or a new known error made on another screen appears without a reload.
 */
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { Card } from '../../../../protocol/model.ts';
import type {
  CardLink,
  CardLinkKind,
  MajorIncident,
  ProblemRecord,
  UpdateMajorIncidentInput,
  UpdateProblemInput,
  WorkaroundMatch,
} from '../../../../protocol/problems.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import type { ProblemsApi } from './problems-api.ts';

export type Part = 'links' | 'record' | 'workarounds' | 'major';

export class CardProblems {
  links = $state.raw<CardLink[]>([]);
  record = $state.raw<ProblemRecord | null>(null);
  workarounds = $state.raw<WorkaroundMatch[]>([]);
  major = $state.raw<MajorIncident | null>(null);
  error = $state<string | null>(null);
  /** the field the server named in its last refusal */
  invalidField = $state<string | null>(null);
  busy = $state(false);

  readonly #api: ProblemsApi;
  readonly #board: BoardState;
  readonly #card: Card;
  readonly #parts: ReadonlySet<Part>;
  #stop: () => void = () => {};

  /** `parts`: what this view shows (the workaround banner needs only the workarounds). */
  constructor(api: ProblemsApi, board: BoardState, card: Card, parts: readonly Part[]) {
    this.#api = api;
    this.#board = board;
    this.#card = card;
    this.#parts = new Set(parts);
  }

  get isProblem(): boolean {
    return this.#card.type === 'problem';
  }
  get isIncident(): boolean {
    return this.#card.type === 'incident';
  }
  get cardId(): string {
    return this.#card.id;
  }

  async load(): Promise<void> {
    this.#stop = this.#board.onEvent((e) => this.#follow(e));
    await Promise.all([this.#loadLinks(), this.#loadRecord(), this.#loadWorkarounds(), this.#loadMajor()]);
  }

  dispose(): void {
    this.#stop();
  }

  /** The board's other cards whose key or title has every typed word, for the link picker. */
  candidates(typed: string, limit = 8): Card[] {
    const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const out: Card[] = [];
    for (const c of this.#board.cards) {
      if (c.id === this.#card.id) continue;
      const text = `${c.key} ${c.title}`.toLowerCase();
      if (words.every((w) => text.includes(w))) out.push(c);
      if (out.length >= limit) break;
    }
    return out;
  }

  link = (targetId: string, kind: CardLinkKind) =>
    this.#write(async () => {
      this.links = await this.#api.link(this.#board.boardId, this.#card.id, targetId, kind);
      await this.#loadWorkarounds();
    });

  unlink = (l: CardLink) =>
    this.#write(async () => {
      await this.#api.unlink(this.#board.boardId, this.#card.id, l.cardId, l.kind);
      await Promise.all([this.#loadLinks(), this.#loadWorkarounds()]);
    });

  saveRecord = (input: UpdateProblemInput) =>
    this.#write(async () => {
      this.record = await this.#api.updateProblem(this.#board.boardId, this.#card.id, input);
    });

  saveMajor = (input: UpdateMajorIncidentInput) =>
    this.#write(async () => {
      this.major = await this.#api.updateMajorIncident(this.#board.boardId, this.#card.id, input);
    });

  async #write(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await work();
      this.error = null;
      this.invalidField = null;
      return true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.invalidField = (err as { field?: string }).field ?? null;
      return false;
    } finally {
      this.busy = false;
    }
  }

  #follow(e: BoardEvent): void {
    const id = this.#card.id;
    if (e.type === 'card.linked' || e.type === 'card.unlinked') {
      if (e.payload.cardId !== id && e.payload.linkedCardId !== id) return;
      void this.#loadLinks();
      void this.#loadWorkarounds();
      return;
    }
    if (e.type === 'card.updated' || e.type === 'card.moved' || e.type === 'card.deleted') {
      if (e.cardId === id) {
        if (e.type === 'card.updated') void this.#loadRecord().then(() => this.#loadMajor());
        return;
      }
      const other = e.cardId ?? '';
      // a linked card moved or changed: its state, or a problem's known-error status, may have changed
      if (this.links.some((l) => l.cardId === other)) void this.#loadLinks();
      if (this.isIncident && e.type === 'card.updated' && e.payload.card.type === 'problem')
        void this.#loadWorkarounds();
    }
  }

  async #quietly(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  #loadLinks = () =>
    !this.#parts.has('links')
      ? Promise.resolve()
      : this.#quietly(async () => {
          this.links = await this.#api.links(this.#board.boardId, this.#card.id);
        });
  #loadRecord = () =>
    this.isProblem && this.#parts.has('record')
      ? this.#quietly(async () => {
          this.record = await this.#api.problem(this.#board.boardId, this.#card.id);
        })
      : Promise.resolve();
  #loadWorkarounds = () =>
    this.isIncident && this.#parts.has('workarounds')
      ? this.#quietly(async () => {
          this.workarounds = await this.#api.workarounds(this.#board.boardId, this.#card.id);
        })
      : Promise.resolve();
  #loadMajor = () =>
    this.isIncident && this.#parts.has('major')
      ? this.#quietly(async () => {
          this.major = await this.#api.majorIncident(this.#board.boardId, this.#card.id);
        })
      : Promise.resolve();
}
