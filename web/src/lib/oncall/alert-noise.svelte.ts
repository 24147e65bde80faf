/**
 * The Reports view's alert-noise panel state: the report for the chosen number of days, read again
 * (at most about once a second) while cards change on the board, since a ticket closing or a person
 * acting on one changes the shares.
 */
import type { AlertNoise } from '../../../../protocol/oncall.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { reloadOnEvents } from '../board/reload-on-events.ts';

const CHANGES_NOISE = /^(card\.|cards\.|oncall\.acknowledged$)/;

export class AlertNoiseState {
  days = $state(30);
  report = $state.raw<AlertNoise | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);

  readonly #api: Api;
  readonly #board: BoardState;
  #closed = false;
  #asked = 0;

  constructor(api: Api, board: BoardState) {
    this.#api = api;
    this.#board = board;
  }

  async load(): Promise<void> {
    const mine = ++this.#asked;
    try {
      const report = await this.#api.request<AlertNoise>(
        'GET',
        `/api/boards/${this.#board.boardId}/reports/alert-noise?days=${this.days}`,
      );
      if (this.#closed || mine !== this.#asked) return;
      this.report = report;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.#closed || mine !== this.#asked) return;
      this.error = err instanceof Error ? err.message : String(err);
      if (this.status === 'loading') this.status = 'error';
    }
  }

  setDays(days: number): void {
    if (days === this.days) return;
    this.days = days;
    void this.load();
  }

  /** Reload when cards change; returns the way to stop. */
  follow(): () => void {
    const stop = reloadOnEvents(this.#board, CHANGES_NOISE, () => void this.load());
    return () => {
      this.#closed = true;
      stop();
    };
  }
}
