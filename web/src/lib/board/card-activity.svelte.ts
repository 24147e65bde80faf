/**
 * A card's comments and history while its panel is open: loaded once over HTTP, then kept current
 * from the board's live events (a comment or change by anyone appears without a reload).
 */
import type { BoardEvent } from '../../../../protocol/model.ts';
import type { Api, CardComment } from '../api.ts';
import type { BoardState } from './board-state.svelte.ts';

export class CardActivity {
  comments = $state.raw<CardComment[]>([]);
  history = $state.raw<BoardEvent[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  posting = $state(false);

  readonly #api: Api;
  readonly #board: BoardState;
  readonly #cardId: string;
  #stop: () => void = () => {};

  constructor(api: Api, board: BoardState, cardId: string) {
    this.#api = api;
    this.#board = board;
    this.#cardId = cardId;
  }

  async load(): Promise<void> {
    // Follow first, then load: an event in between is deduplicated by seq and comment id.
    this.#stop = this.#board.onEvent((e) => this.#follow(e));
    try {
      const [comments, history] = await Promise.all([
        this.#api.comments(this.#board.boardId, this.#cardId),
        this.#api.history(this.#board.boardId, this.#cardId),
      ]);
      this.comments = mergeComments(comments, this.comments);
      this.history = mergeHistory(history, this.history);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  dispose(): void {
    this.#stop();
  }

  async addComment(body: string, internal = false): Promise<boolean> {
    if (!body.trim()) return false;
    this.posting = true;
    try {
      const comment = await this.#api.addComment(this.#board.boardId, this.#cardId, body.trim(), internal);
      this.comments = mergeComments(this.comments, [comment]);
      this.error = null;
      return true;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      this.posting = false;
    }
  }

  #follow(e: BoardEvent): void {
    if (e.cardId !== this.#cardId) return;
    this.history = mergeHistory(this.history, [e]);
    if (e.type === 'card.commented') this.comments = mergeComments(this.comments, [e.payload.comment]);
  }
}

function mergeComments(a: readonly CardComment[], b: readonly CardComment[]): CardComment[] {
  const byId = new Map([...a, ...b].map((c) => [c.id, c]));
  return [...byId.values()].sort((x, y) => x.createdAt.localeCompare(y.createdAt));
}

/** Newest first, one entry per sequence number. */
function mergeHistory(a: readonly BoardEvent[], b: readonly BoardEvent[]): BoardEvent[] {
  const bySeq = new Map([...a, ...b].map((e) => [e.seq, e]));
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}
