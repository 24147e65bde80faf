/**
 * The SLA clocks of the open board's incidents and service requests, for their cards' chips: read
 * once when the service desk is on (and again after a reconnect or a new SLA document), then kept
 * from the board's `sla.clock`, `sla.warning` and `sla.breached` events, which carry the clock.
 * `now` ticks every second in the browser, so chips count down and change colour without the server.
 */
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { Card } from '../../../../protocol/model.ts';
import { slaKindOf } from '../../../../protocol/rules/sla-kind.ts';
import type { CardSla } from '../../../../protocol/sla.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { type SlaChip, slaChip } from './sla-chip.ts';

const TICK_MS = 1000;

export class SlaClocks {
  #clocks = $state.raw<ReadonlyMap<string, CardSla>>(new Map());
  #enabled = $state(false);
  /** the browser's time, plus how far the server's clock is ahead of it */
  #now = $state(Date.now());
  #offset = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #stopEvents: (() => void) | null = null;
  /** cards whose clock an event set while a read was on its way: the read's older copy loses */
  #newer = new Set<string>();
  #reading = 0;

  constructor(
    private readonly api: Api,
    private readonly board: BoardState,
  ) {}

  /** The chip of a card, or null: service desk off, no clocks, or no longer an incident or request. */
  chip(card: Card): SlaChip | null {
    if (!this.#enabled || card.doneAt !== null || !slaKindOf(card)) return null;
    const clock = this.#clocks.get(card.id);
    return clock ? slaChip(clock, this.#now + this.#offset) : null;
  }

  /** Follows the board while the service-desk flag is on; off, chips go and nothing is read. */
  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    if (on) {
      this.#stopEvents = this.board.onEvent((e) => this.#apply(e));
      this.#timer = setInterval(() => {
        this.#now = Date.now();
      }, TICK_MS);
      void this.refresh();
    } else this.close();
  }

  /** Reads every clock of the board again (errors leave the chips as they were). */
  async refresh(): Promise<void> {
    if (!this.#enabled) return;
    const mine = ++this.#reading;
    this.#newer.clear();
    try {
      const reply = await this.api.request<{ clocks: CardSla[]; at: string }>(
        'GET',
        `/api/boards/${this.board.boardId}/sla/clocks`,
      );
      if (mine !== this.#reading || !this.#enabled) return;
      this.#offset = Date.parse(reply.at) - Date.now();
      const next = new Map(reply.clocks.map((c) => [c.cardId, c]));
      for (const id of this.#newer) {
        const kept = this.#clocks.get(id);
        if (kept) next.set(id, kept);
      }
      this.#clocks = next;
      this.#now = Date.now();
    } catch {
      // The flag turned off meanwhile (404), or the server is away: the next refresh tries again.
    }
  }

  close(): void {
    this.#enabled = false;
    this.#stopEvents?.();
    this.#stopEvents = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#clocks = new Map();
  }

  #apply(event: BoardEvent): void {
    switch (event.type) {
      case 'sla.clock':
      case 'sla.warning':
      case 'sla.breached': {
        const clock = event.payload.clock;
        this.#newer.add(clock.cardId);
        this.#clocks = new Map(this.#clocks).set(clock.cardId, clock);
        break;
      }
      case 'sla.document':
        void this.refresh();
        break;
      case 'card.deleted':
        if (event.cardId && this.#clocks.has(event.cardId)) {
          const next = new Map(this.#clocks);
          next.delete(event.cardId);
          this.#clocks = next;
        }
        break;
      default:
        break;
    }
  }
}
