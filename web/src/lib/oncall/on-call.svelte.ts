/**
 * Who is on duty now on a board, and the latest pages: fetched once, then kept current by the
 * board's events (a rota changed → fetch again; a page or acknowledgement → listed) and by a timer
 * set for the next hand-off.
 */
import type { BoardEventOf } from '../../../../protocol/events.ts';
import type { OnDutyNow } from '../../../../protocol/oncall.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { onDutyNow } from './api.ts';

export interface PageLine {
  seq: number;
  cardId: string;
  key: string;
  step: number;
  who: string;
  acknowledged: boolean;
}

export class OnCall {
  rotas = $state.raw<OnDutyNow[]>([]);
  pages = $state.raw<PageLine[]>([]);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stop: (() => void) | null = null;

  constructor(
    private readonly api: Api,
    private readonly board: BoardState,
    private readonly notify: (message: string, kind: 'info' | 'warning' | 'success') => void,
  ) {}

  open(): void {
    void this.refresh();
    this.#stop = this.board.onEvent((event) => {
      switch (event.type) {
        case 'oncall.rota_changed':
          void this.refresh();
          break;
        case 'oncall.paged':
          this.#paged(event);
          break;
        case 'oncall.acknowledged':
          this.pages = this.pages.map((p) => (p.cardId === event.cardId ? { ...p, acknowledged: true } : p));
          this.notify(`${event.actor.label} acknowledged ${event.payload.key}`, 'success');
          break;
      }
    });
  }

  close(): void {
    this.#stop?.();
    if (this.#timer) clearTimeout(this.#timer);
  }

  #paged(event: BoardEventOf<'oncall.paged'>): void {
    const { cardId, key, step, who } = event.payload;
    if (this.pages.some((p) => p.seq === event.seq)) return;
    const line = {
      seq: event.seq,
      cardId,
      key,
      step,
      who: who?.name ?? 'nobody on duty',
      acknowledged: false,
    };
    // one line per incident: its latest page
    this.pages = [line, ...this.pages.filter((p) => p.cardId !== cardId)].slice(0, 3);
    this.notify(`Paged ${line.who} for ${key} (step ${step + 1})`, 'warning');
  }

  async refresh(): Promise<void> {
    this.rotas = await onDutyNow(this.api, this.board.boardId);
    // Wake at the next hand-off (bounded, so a far one does not overflow the timer).
    const changes = this.rotas.flatMap((r) => [r.onDuty?.to, r.next?.from]).filter((x): x is string => !!x);
    const soonest = Math.min(...changes.map((x) => Date.parse(x)));
    if (this.#timer) clearTimeout(this.#timer);
    if (Number.isFinite(soonest))
      this.#timer = setTimeout(
        () => void this.refresh(),
        Math.min(Math.max(soonest - Date.now(), 1000), 3_600_000),
      );
  }
}
