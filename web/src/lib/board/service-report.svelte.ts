/**
 * The Service section of the Reports view (issue 20): the service report of the chosen period kind
 * (months or quarters) and the quarterly SLA review minutes, saved through the server. Reloaded when
 * a review changes on the board (anyone's), so two screens agree.
 */
import type {
  ReportPeriod,
  ServiceReport,
  SlaReview,
  SlaReviewInput,
} from '../../../../protocol/service-report.ts';
import { type Api, ApiError } from '../api.ts';
import type { BoardState } from './board-state.svelte.ts';

export class ServiceReportState {
  period = $state<ReportPeriod>('month');
  report = $state.raw<ServiceReport | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);

  readonly #api: Api;
  readonly #board: BoardState;
  #closed = false;

  constructor(api: Api, board: BoardState) {
    this.#api = api;
    this.#board = board;
  }

  get #base(): string {
    return `/api/boards/${this.#board.boardId}`;
  }

  /** The CSV of what is on the screen. */
  get csvPath(): string {
    return `${this.#base}/service-report.csv?period=${this.period}`;
  }

  /** The quarters the report covers, newest first: the reviews that can be recorded from here. */
  quarters = $derived.by(() => {
    const r = this.report;
    if (!r) return [];
    const seen = new Set<string>();
    for (const p of r.periods) {
      // a period's key says its year and month (YYYY-MM) or quarter (YYYY-Qn) in the report's zone
      const [year, rest] = p.key.split('-') as [string, string];
      seen.add(rest.startsWith('Q') ? p.key : `${year}-Q${Math.ceil(Number(rest) / 3)}`);
    }
    return [...seen].reverse();
  });

  reviewOf = (quarter: string): SlaReview | null =>
    this.report?.reviews.find((r) => r.quarter === quarter) ?? null;

  async load(): Promise<void> {
    const period = this.period;
    try {
      const report = await this.#api.request<ServiceReport>(
        'GET',
        `${this.#base}/service-report?period=${period}`,
      );
      if (this.#closed || period !== this.period) return;
      this.report = report;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.#closed) return;
      this.error = err instanceof Error ? err.message : String(err);
      if (this.status === 'loading') this.status = 'error';
    }
  }

  setPeriod(period: ReportPeriod): void {
    if (period === this.period) return;
    this.period = period;
    void this.load();
  }

  /** Records or edits the quarter's review; the refusal's message (naming the field) or null. */
  async saveReview(input: SlaReviewInput, existing: SlaReview | null): Promise<string | null> {
    try {
      if (existing)
        await this.#api.request('PUT', `${this.#base}/sla-reviews/${existing.id}`, {
          ...input,
          revision: existing.revision,
        });
      else await this.#api.request('POST', `${this.#base}/sla-reviews`, input);
      await this.load();
      return null;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'STALE_VERSION') await this.load();
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** Reload when someone records, edits or deletes a review; returns the way to stop. */
  follow(): () => void {
    const stop = this.#board.onEvent((event) => {
      if (event.type === 'sla.review_changed') void this.load();
    });
    return () => {
      this.#closed = true;
      stop();
    };
  }
}
