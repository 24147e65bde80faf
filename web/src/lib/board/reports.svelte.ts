/**
 * The Reports view's numbers: velocity of the last sprints, the burndown of the active (else the
 * last completed) sprint, and the maintenance stream's flow. Loaded on open and again, at most about
 * once a second, while cards and sprints change on the board.
 */
import type { Burndown, FlowReport, Sprint, Velocity } from '../../../../protocol/model.ts';
import type { Api } from '../api.ts';
import type { BoardState } from './board-state.svelte.ts';
import { reloadOnEvents } from './reload-on-events.ts';
import { currentOrLastSprint } from './sprint-plan.ts';

const SHOWN_IN_REPORTS = /^(card\.|cards\.|sprint\.|column\.)/;

export class Reports {
  velocity = $state.raw<Velocity | null>(null);
  burndown = $state.raw<Burndown | null>(null);
  /** the sprint the burndown is of */
  sprint = $state.raw<Sprint | null>(null);
  flow = $state.raw<FlowReport | null>(null);
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);

  #closed = false;
  readonly #api: Api;
  readonly #board: BoardState;

  constructor(
    api: Api,
    board: BoardState,
    readonly days = 14,
  ) {
    this.#api = api;
    this.#board = board;
  }

  async load(): Promise<void> {
    const boardId = this.#board.boardId;
    const sprint = currentOrLastSprint(this.#board.sprints) ?? null;
    try {
      const [velocity, flow, burndown] = await Promise.all([
        this.#api.velocity(boardId),
        this.#api.flow(boardId, this.days),
        sprint?.startDate ? this.#api.burndown(boardId, sprint.id) : Promise.resolve(null),
      ]);
      if (this.#closed) return;
      this.velocity = velocity;
      this.flow = flow;
      this.burndown = burndown;
      this.sprint = sprint;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.#closed) return;
      this.error = err instanceof Error ? err.message : String(err);
      if (this.status === 'loading') this.status = 'error';
    }
  }

  /** Reload when the board changes in a way the reports show; returns the way to stop. */
  follow(): () => void {
    const stop = reloadOnEvents(this.#board, SHOWN_IN_REPORTS, () => void this.load());
    return () => {
      this.#closed = true;
      stop();
    };
  }
}
