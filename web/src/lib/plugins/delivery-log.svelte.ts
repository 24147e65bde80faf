/**
 * One installation's delivery log, newest first. It follows the server three ways, all plain: a
 * refresh when the board changes (a delivery that raised or updated a ticket), a poll (every 2 s
 * while something is queued, else every 10 s: refused deliveries change nothing on the board), and
 * the Refresh button. Rows expand to the stored payload and what each ticket action did.
 */
import type { DeliveryDetail, DeliverySummary } from '../../../../protocol/plugin.ts';
import type { Notify } from './integrations.svelte.ts';
import type { BoardPluginsApi } from './plugins-api.ts';

const BUSY_POLL_MS = 2_000;
const IDLE_POLL_MS = 10_000;

export class DeliveryLog {
  items = $state.raw<DeliverySummary[]>([]);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  refreshing = $state(false);
  expanded = $state.raw<ReadonlySet<string>>(new Set());
  details = $state.raw<ReadonlyMap<string, DeliveryDetail>>(new Map());
  replaying = $state.raw<ReadonlySet<string>>(new Set());

  #running: Promise<void> | null = null;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(
    private readonly http: BoardPluginsApi,
    readonly installationId: string,
    private readonly notify: Notify,
  ) {}

  /** Load and keep following until the returned function is called. */
  follow(onBoardEvent: (listener: () => void) => () => void): () => void {
    this.#stopped = false;
    void this.refresh();
    const unsubscribe = onBoardEvent(() => void this.refresh());
    return () => {
      this.#stopped = true;
      clearTimeout(this.#timer);
      unsubscribe();
    };
  }

  /** Fetch the newest page; calls made while one runs are folded into one more fetch after it. */
  refresh(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#load().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      } else this.#schedule();
    });
    return this.#running;
  }

  async toggle(deliveryId: string): Promise<void> {
    if (this.expanded.has(deliveryId)) {
      this.expanded = new Set([...this.expanded].filter((id) => id !== deliveryId));
      return;
    }
    this.expanded = new Set([...this.expanded, deliveryId]);
    if (!this.details.has(deliveryId)) await this.#loadDetail(deliveryId);
  }

  /** Process it again; the row shows it queued at once and follows it to its new outcome. */
  async replay(deliveryId: string): Promise<void> {
    this.replaying = new Set([...this.replaying, deliveryId]);
    try {
      const queued = await this.http.replay(this.installationId, deliveryId);
      this.#put(queued);
      await this.refresh();
    } catch (err) {
      this.notify(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      this.replaying = new Set([...this.replaying].filter((id) => id !== deliveryId));
    }
  }

  async #load(): Promise<void> {
    this.refreshing = true;
    try {
      const page = await this.http.deliveries(this.installationId);
      const before = new Map(this.items.map((d) => [d.id, d]));
      this.items = page.items;
      this.status = 'ready';
      this.error = null;
      // An expanded row whose delivery moved on shows its new results.
      for (const d of page.items) {
        const old = before.get(d.id);
        const changed =
          old &&
          (old.status !== d.status || old.attempts !== d.attempts || old.processedAt !== d.processedAt);
        if (changed && this.expanded.has(d.id)) await this.#loadDetail(d.id);
      }
    } catch (err) {
      if (this.status === 'loading') this.status = 'error';
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.refreshing = false;
    }
  }

  async #loadDetail(deliveryId: string): Promise<void> {
    try {
      const detail = await this.http.delivery(this.installationId, deliveryId);
      this.details = new Map([...this.details, [deliveryId, detail]]);
    } catch (err) {
      this.notify(err instanceof Error ? err.message : String(err), 'error');
    }
  }

  #put(summary: DeliverySummary): void {
    this.items = this.items.map((d) => (d.id === summary.id ? summary : d));
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const busy = this.items.some((d) => d.status === 'queued' || d.retrying);
    this.#timer = setTimeout(
      () => {
        if (document.visibilityState === 'visible') void this.refresh();
        else this.#schedule();
      },
      busy ? BUSY_POLL_MS : IDLE_POLL_MS,
    );
  }
}
