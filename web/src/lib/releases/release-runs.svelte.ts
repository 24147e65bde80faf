/**
 * The runs reported on one release, for its page: read once when the page opens, then kept live by
 * the board's events (a report's `release.updated` carries the run it recorded).
 */
import type { BoardEvent } from '../../../../protocol/model.ts';
import type { ReleaseRun } from '../../../../protocol/releases.ts';
import type { Api } from '../api.ts';
import { getReleaseRuns } from './release-api.ts';

export class ReleaseRunsState {
  #runs = $state.raw<ReleaseRun[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);

  constructor(
    private readonly api: Api,
    private readonly boardId: string,
    readonly releaseId: string,
  ) {}

  /** in the order they were recorded */
  get runs(): ReleaseRun[] {
    return this.#runs;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string | null {
    return this.#error;
  }

  async load(): Promise<void> {
    try {
      const answer = await getReleaseRuns(this.api, this.boardId, this.releaseId);
      // A run whose event arrived while the list was on its way stays (after the listed ones).
      const listed = new Set(answer.runs.map((r) => r.id));
      this.#runs = [...answer.runs, ...this.#runs.filter((r) => !listed.has(r.id))];
      this.#loaded = true;
      this.#error = null;
    } catch (err) {
      this.#error = err instanceof Error ? err.message : String(err);
    }
  }

  /** A board event: a report on this release adds its run (once, however often it arrives). */
  apply(event: BoardEvent): void {
    if (event.type !== 'release.updated' || event.payload.release.id !== this.releaseId) return;
    const run = event.payload.run;
    if (!run || this.#runs.some((r) => r.id === run.id)) return;
    this.#runs = [...this.#runs, run];
  }
}
