/**
 * The Improvement panel's state: the board's review cadence and schedule, its reviews and the
 * improvement register. Loaded once, then kept live by the board's events (items and reviews merged
 * by revision, so an answer arriving after a newer event never undoes it); the schedule's numbers are
 * the server's, re-read shortly after a review or the cadence changes.
 */
import type {
  CreateItemInput,
  CreateReviewInput,
  ImprovementItem,
  ImprovementOverview,
  ItemStatusInput,
  Review,
  UpdateItemInput,
  UpdateReviewInput,
} from '../../../../protocol/improvement.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import * as api from './improvement-api.ts';
import { upsertItem, upsertReview } from './register.ts';

const RELOAD_AFTER_MS = 400;

export class Improvement {
  overview = $state.raw<Omit<ImprovementOverview, 'reviews' | 'items'> | null>(null);
  reviews = $state.raw<Review[]>([]);
  items = $state.raw<ImprovementItem[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #api: Api;
  readonly #board: BoardState;

  constructor(apiClient: Api, board: BoardState) {
    this.#api = apiClient;
    this.#board = board;
  }

  get boardId(): string {
    return this.#board.boardId;
  }

  async load(): Promise<void> {
    try {
      const o = await api.overview(this.#api, this.boardId);
      if (this.#closed) return;
      const { reviews, items, ...rest } = o;
      this.overview = rest;
      // merged, so events applied while the read was under way are kept
      this.reviews = reviews.reduce((list, r) => upsertReview(list, r), this.reviews);
      this.items = items.reduce((list, i) => upsertItem(list, i), this.items);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.#closed) return;
      this.error = err instanceof Error ? err.message : String(err);
      if (this.status === 'loading') this.status = 'error';
    }
  }

  /** Follow the board's events; returns the way to stop. */
  follow(): () => void {
    const stop = this.#board.onEvent((event) => {
      switch (event.type) {
        case 'improvement.item_changed':
          this.items = upsertItem(this.items, event.payload.item);
          break;
        case 'improvement.item_deleted':
          this.items = this.items.filter((i) => i.id !== event.payload.itemId);
          break;
        case 'improvement.review_changed':
          this.reviews = upsertReview(this.reviews, event.payload.review);
          this.#reloadSoon();
          break;
        case 'improvement.review_deleted':
          this.reviews = this.reviews.filter((r) => r.id !== event.payload.reviewId);
          this.#reloadSoon();
          break;
        case 'improvement.settings_changed':
          this.#reloadSoon();
          break;
        case 'card.deleted': {
          // the link went with the card (on delete cascade), without an item event
          const { cardId } = event.payload;
          if (this.items.some((i) => i.cards.some((c) => c.cardId === cardId)))
            this.items = this.items.map((i) =>
              i.cards.some((c) => c.cardId === cardId)
                ? { ...i, cards: i.cards.filter((c) => c.cardId !== cardId) }
                : i,
            );
          break;
        }
        default:
          break;
      }
    });
    return () => {
      this.#closed = true;
      stop();
      if (this.#timer) clearTimeout(this.#timer);
    };
  }

  #reloadSoon(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.load();
    }, RELOAD_AFTER_MS);
  }

  // ---- changes (each answer is merged at once; its event brings the same revision) ----------------

  async setCadence(weeks: number): Promise<void> {
    await api.putSettings(this.#api, this.boardId, weeks);
    await this.load();
  }
  async createReview(input: CreateReviewInput): Promise<Review> {
    return this.#review(await api.createReview(this.#api, this.boardId, input));
  }
  async updateReview(reviewId: string, input: UpdateReviewInput): Promise<Review> {
    return this.#review(await api.updateReview(this.#api, this.boardId, reviewId, input));
  }
  async deleteReview(reviewId: string): Promise<void> {
    await api.deleteReview(this.#api, this.boardId, reviewId);
    this.reviews = this.reviews.filter((r) => r.id !== reviewId);
    this.#reloadSoon();
  }
  async createItem(input: CreateItemInput): Promise<ImprovementItem> {
    return this.#item(await api.createItem(this.#api, this.boardId, input));
  }
  async updateItem(itemId: string, input: UpdateItemInput): Promise<ImprovementItem> {
    return this.#item(await api.updateItem(this.#api, this.boardId, itemId, input));
  }
  async moveItem(itemId: string, input: ItemStatusInput): Promise<ImprovementItem> {
    return this.#item(await api.moveItem(this.#api, this.boardId, itemId, input));
  }
  async deleteItem(itemId: string): Promise<void> {
    await api.deleteItem(this.#api, this.boardId, itemId);
    this.items = this.items.filter((i) => i.id !== itemId);
  }

  #review(review: Review): Review {
    this.reviews = upsertReview(this.reviews, review);
    this.#reloadSoon();
    return review;
  }
  #item(item: ImprovementItem): ImprovementItem {
    this.items = upsertItem(this.items, item);
    return item;
  }
}
