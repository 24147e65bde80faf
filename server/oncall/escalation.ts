/**
 * The escalation engine. A critical (or, by policy, high) incident in the maintenance stream starts
 * an escalation: a row with its policy's steps and `next_at`, the time its next step is due. A
 * scheduler on every instance takes due rows with `for update skip locked` (one instance per row),
 * pages each due step under the row lock and moves `next_at` on, in the same transaction as the
 * step's `oncall.paged` event: a step pages exactly once, across restarts and instances. The
 * outgoing page (Pager) follows the commit. Acknowledging clears `next_at` (service.ts).
 */
import type { BoardEvent } from '../../protocol/events.ts';
import type { Actor } from '../access/board-access.ts';
import * as rules from '../domain/oncall.ts';
import type { Db } from '../infra/database.ts';
import type { EscalationRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import type { Page, Pager } from './pager.ts';
import * as repo from './repo.ts';
import { rulesRota } from './service.ts';

const DAY_MS = 86_400_000;
const ENGINE: Actor = { userId: null, label: 'On-call escalation', isAdmin: false };

export interface EscalationEngineDeps {
  db: Db;
  bus: BoardEventBus;
  pager: Pager;
  log: { warn(obj: object, msg: string): void };
  clock?: () => Date;
  /** how often due steps are looked for; a step pages within this of its time */
  tickMs?: number;
  /** rows taken per transaction */
  batch?: number;
}

export class EscalationEngine {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;
  private readonly clock: () => Date;

  constructor(private readonly deps: EscalationEngineDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe((event) => {
      this.onEvent(event).catch((err) => this.deps.log.warn({ err }, 'on-call escalation start failed'));
    });
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 1000);
    this.timer.unref();
    void this.catchUp().then(() => this.tick());
  }

  /**
   * Starts the escalations an instance missed: an incident's start follows its card's commit in
   * memory, so a server stopped between the two would lose it. At start, the last day's open
   * qualifying incidents without one get theirs.
   */
  async catchUp(): Promise<void> {
    try {
      const since = new Date(this.clock().getTime() - DAY_MS);
      for (const cardId of await repo.unescalated(this.deps.db, since, 500)) await this.startFor(cardId);
    } catch (err) {
      this.deps.log.warn({ err }, 'on-call escalation catch-up failed');
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Board events after commit: an incident that now qualifies starts its escalation. */
  private async onEvent(event: BoardEvent): Promise<void> {
    const card =
      event.type === 'card.created' || event.type === 'card.updated' || event.type === 'card.moved'
        ? event.payload.card
        : null;
    if (!card || !event.cardId) return;
    // Cheap filter on what the event carries; the database has the final word.
    if (card.type !== undefined && card.type !== 'incident') return;
    if (card.stream !== 'maintenance') return;
    if (await this.startFor(event.cardId)) await this.tick();
  }

  /** Starts the card's escalation if it qualifies and has none; true when one was started. */
  async startFor(cardId: string): Promise<boolean> {
    const card = await repo.cardFacts(this.deps.db, cardId);
    if (card?.type !== 'incident' || card.stream !== 'maintenance' || card.done_at) return false;
    const policy = await repo.policyFor(this.deps.db, card.board_id, card.priority);
    if (!policy) return false;
    const steps = policy.steps as rules.EscalationStepRule[];
    const triggeredAt = this.clock();
    const due = rules.escalationStep({ steps }, triggeredAt, new Date(triggeredAt.getTime() - 1), false);
    const row = await repo.insertEscalation(this.deps.db, {
      board_id: card.board_id,
      card_id: card.id,
      policy_id: policy.id,
      steps: JSON.stringify(steps),
      triggered_at: triggeredAt,
      next_at: due.nextAt ?? triggeredAt,
    });
    return row !== null;
  }

  /** Pages every due step; overlapping calls run once more rather than side by side. */
  tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while ((await this.fireDue()) === (this.deps.batch ?? 20));
        } while (this.again);
      } catch (err) {
        this.deps.log.warn({ err }, 'on-call escalation tick failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** One transaction: lock due escalations, page their due steps, move them on. Returns rows taken. */
  private async fireDue(): Promise<number> {
    const pages: Page[] = [];
    const taken = await commitWithEvents(this.deps.db, this.deps.bus, async (trx, record) => {
      const now = this.clock();
      const rows = await repo.lockDue(trx, now, this.deps.batch ?? 20);
      for (const row of rows) {
        const card = await repo.cardFacts(trx, row.card_id);
        if (!card || card.done_at) {
          // closed before anyone acknowledged: nothing left to page
          await repo.advance(trx, row.id, row.next_step, null);
          continue;
        }
        const steps = row.steps as rules.EscalationStepRule[];
        const due = rules.escalationStep({ steps }, row.triggered_at, now, row.acked_at !== null);
        for (let step = row.next_step; step <= due.dueThrough; step++) {
          const who = await this.resolve(trx, row, steps[step]!.target, now);
          if (!(await repo.insertPage(trx, row.id, step, who?.userId ?? null))) continue;
          await record({
            boardId: row.board_id,
            type: 'oncall.paged',
            cardId: row.card_id,
            actor: ENGINE,
            payload: { cardId: row.card_id, key: card.key, step, who, target: steps[step]!.target.kind },
          });
          pages.push({
            boardId: row.board_id,
            cardId: row.card_id,
            cardKey: card.key,
            title: card.title,
            priority: card.priority,
            step,
            who,
            dedupKey: `${row.id}:${step}`,
            at: now,
          });
        }
        await repo.advance(trx, row.id, Math.max(row.next_step, due.dueThrough + 1), due.nextAt);
      }
      return rows.length;
    });
    for (const page of pages)
      await this.deps.pager
        .page(page)
        .catch((err) => this.deps.log.warn({ err, page }, 'on-call page not sent'));
    return taken;
  }

  /** The person a step pages, now: the rota's on-duty or next person, or the named user. */
  private async resolve(
    trx: Db,
    row: EscalationRow,
    target: rules.EscalationTarget,
    now: Date,
  ): Promise<{ userId: string; name: string } | null> {
    let userId: string | null = null;
    if (target.kind === 'user') userId = target.userId;
    else {
      const rota = await repo.findRota(trx, row.board_id, target.rotaId);
      if (rota) {
        const covers = await repo.covers(
          trx,
          [rota.id],
          new Date(now.getTime() - 16 * DAY_MS),
          new Date(now.getTime() + 57 * DAY_MS),
        );
        const r = rulesRota(rota, covers);
        userId = (target.kind === 'on_duty' ? rules.onDuty(r, now) : rules.next(r, now))?.userId ?? null;
      }
    }
    if (!userId) return null;
    const name = (await repo.names(trx, [userId])).get(userId);
    return name ? { userId, name } : null;
  }
}
