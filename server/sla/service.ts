/**
 * SLA clocks (issue 20): the board's SLA document, each incident's and service request's response and
 * resolution clocks, and the announcements of their warnings (75%) and breaches (100%).
 *
 * A clock follows its card. After every committed card change on this instance (the bus), the card's
 * clock is reconciled with the card as it now is: started when the card is (or becomes) an incident or
 * request, its tier following the card's priority or its impact × urgency, the response met by the
 * first comment or move of a person, stopped when the card is done, reopened when it leaves done. The
 * same reconciliation runs under the clock's row lock when the scheduler finds the clock due, so a
 * change the server did not see (it stopped between the commit and the hook) is caught up before
 * anything is announced; a start-up pass starts the clocks that were never started.
 *
 * Each stage is announced once: the stages announced are kept in the clock's row (`fired`), changed in
 * the same transaction as the board event that announces them, under the row's lock. The row keeps the
 * next stage's instant (`next_due_at`, indexed), which the scheduler polls.
 */
import type { BoardEvent } from '../../protocol/events.ts';
import type {
  CardSla,
  CardSlaChange,
  SlaClockView,
  SlaDocument,
  SlaDocumentReply,
  SlaStage,
  SlaTier,
  WaitingOn,
} from '../../protocol/sla.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import {
  type CardClocks,
  type ClockFacts,
  type ClockState,
  cardClocks,
  checkSlaDocument,
  DEFAULT_SLA,
  slaKindOf,
  tierOf,
  tierOfPriority,
} from '../domain/sla.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { SlaClockRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents, type RecordEvent } from '../sync/event-log.ts';
import * as repo from './repo.ts';

type Trx = Parameters<Parameters<typeof commitWithEvents>[2]>[0];

/** Who announces warnings and breaches, and changes clocks on a card's behalf. */
const SLA_ACTOR: Actor = { userId: null, label: 'SLA', isAdmin: true };

type TierMark = { at: string; tier: SlaTier };
type Pause = { from: string; to: string | null; on: WaitingOn | 'resolved' };

const ms = (d: Date | string | null) =>
  d === null ? null : typeof d === 'string' ? Date.parse(d) : d.getTime();
const iso = (n: number | null) => (n === null ? null : new Date(n).toISOString());

function factsOf(row: SlaClockRow): ClockFacts {
  return {
    kind: row.kind as ClockFacts['kind'],
    startedAt: row.started_at.getTime(),
    tiers: (row.tiers as TierMark[]).map((t) => ({ at: Date.parse(t.at), tier: t.tier })),
    pauses: (row.pauses as Pause[]).map((p) => ({ from: Date.parse(p.from), to: ms(p.to) })),
    responseMetAt: ms(row.response_met_at),
    resolvedAt: ms(row.resolved_at),
  };
}

const view = (s: ClockState): SlaClockView => ({
  targetMinutes: s.targetMinutes,
  elapsedMs: s.elapsedMs,
  leftMs: s.leftMs,
  warningAt: iso(s.warningAt),
  breachAt: iso(s.breachAt),
  metAt: iso(s.metAt),
  status: s.status,
});

function toCardSla(row: SlaClockRow, clocks: Pick<CardClocks, 'response' | 'resolution'>): CardSla {
  const tiers = row.tiers as TierMark[];
  return {
    cardId: row.card_id,
    kind: row.kind as CardSla['kind'],
    tier: tiers[tiers.length - 1]!.tier,
    impact: row.impact,
    urgency: row.urgency,
    waiting: (row.waiting as WaitingOn | null) ?? null,
    startedAt: row.started_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    response: view(clocks.response),
    resolution: view(clocks.resolution),
    nextDueAt: row.next_due_at?.toISOString() ?? null,
  };
}

/** How many due clocks one pass of the scheduler takes, and how many it settles at once. */
const DUE_BATCH = 200;
const DUE_CONCURRENCY = 4;

export class SlaService {
  private readonly pending = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    private readonly log: (err: unknown, what: string) => void = () => {},
  ) {}

  // ---- the document ------------------------------------------------------------------------------

  async document(actor: Actor, boardId: string): Promise<SlaDocumentReply> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return (await repo.documentOf(this.db, boardId)) ?? { document: DEFAULT_SLA, revision: 0 };
  }

  /**
   * Replaces the board's document; every open clock's deadlines move to it at once. With `expected`
   * (the revision the change was made on), a save over someone else's newer one is refused.
   */
  async saveDocument(
    actor: Actor,
    boardId: string,
    document: SlaDocument,
    expected?: number,
  ): Promise<SlaDocumentReply> {
    await requireBoardPermission(this.db, actor, boardId, 'board:manage');
    const refusal = checkSlaDocument(document);
    if (refusal) throw invalid(refusal.field, refusal.message);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      // Clocks before the board's row (taken by the event), the order every clock change takes them in.
      const open = await repo.lockOpenClocks(trx, boardId);
      const revision = await repo.saveDocument(trx, boardId, document);
      // The upsert waited for any save before it, so the revision it made is the one after that save.
      if (expected !== undefined && revision !== expected + 1)
        throw new AppError(
          'STALE_VERSION',
          `revision: someone saved the SLA document since revision ${expected}; it is now at ${revision - 1}`,
          { field: 'revision', revision: revision - 1 },
        );
      await record({ boardId, type: 'sla.document', cardId: null, actor, payload: { document, revision } });
      const now = Date.now();
      for (const row of open) await this.settle(trx, record, row, document, {}, [], now);
      return { document, revision };
    });
  }

  // ---- clocks ------------------------------------------------------------------------------------

  async clocks(actor: Actor, boardId: string): Promise<{ clocks: CardSla[]; at: string }> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const [rows, doc] = await Promise.all([
      repo.clocksOfBoard(this.db, boardId),
      this.documentFor(this.db, boardId),
    ]);
    const now = Date.now();
    return {
      clocks: rows.map((r) => toCardSla(r, cardClocks(doc, factsOf(r), r.fired, now))),
      at: iso(now)!,
    };
  }

  async clock(actor: Actor, boardId: string, cardId: string): Promise<CardSla> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.clockOf(this.db, boardId, cardId);
    if (!row)
      throw notFound('SLA clock (the card is not an incident or service request in the maintenance stream)');
    const doc = await this.documentFor(this.db, boardId);
    return toCardSla(row, cardClocks(doc, factsOf(row), row.fired, Date.now()));
  }

  /**
   * A person marks the card waiting on the customer or a third party (both clocks pause) or not
   * (they run again), or rates its impact and urgency (its tier follows the board's matrix).
   */
  async change(actor: Actor, boardId: string, cardId: string, input: CardSlaChange): Promise<CardSla> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    if (input.waiting === undefined && input.impact === undefined && input.urgency === undefined)
      throw invalid('waiting', 'say what changes: waiting, impact or urgency');
    const doc = await this.documentFor(this.db, boardId);
    const size = doc.matrix.length;
    for (const field of ['impact', 'urgency'] as const) {
      const v = input[field];
      if (v !== undefined && (v < 1 || v > size))
        throw invalid(field, `1 (highest) to ${size}, the matrix's size`);
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lockClock(trx, cardId);
      if (!row || row.board_id !== boardId)
        throw notFound(
          'SLA clock (the card is not an incident or service request in the maintenance stream)',
        );
      const now = Date.now();
      const set: repo.ClockChange = {};
      const changes: string[] = [];
      if (input.waiting !== undefined) {
        const pauses = row.pauses as Pause[];
        const open = pauses.at(-1)?.to === null;
        if (input.waiting !== null && row.resolved_at)
          throw new AppError('CONFLICT', 'waiting: the card is resolved; its clocks have stopped', {
            field: 'waiting',
          });
        if (input.waiting !== null && !open) {
          set.pauses = JSON.stringify([...pauses, { from: iso(now), to: null, on: input.waiting }]);
          changes.push('paused');
        } else if (input.waiting === null && open) {
          set.pauses = JSON.stringify(
            pauses.map((p, i) => (i === pauses.length - 1 ? { ...p, to: iso(now) } : p)),
          );
          changes.push('resumed');
        } else if (input.waiting !== null && open && row.waiting !== input.waiting) {
          set.pauses = JSON.stringify(
            pauses.map((p, i) => (i === pauses.length - 1 ? { ...p, on: input.waiting } : p)),
          );
          changes.push('waiting');
        }
        set.waiting = input.waiting;
      }
      if (input.impact !== undefined) set.impact = input.impact;
      if (input.urgency !== undefined) set.urgency = input.urgency;
      const card = await repo.cardFacts(trx, cardId);
      const changed = await this.settle(trx, record, row, doc, set, changes, now, card?.priority);
      return changed;
    });
  }

  // ---- following the cards -----------------------------------------------------------------------

  /** Reconciles the clock of each card a committed change touched (called with every bus event). */
  onEvent(event: BoardEvent): void {
    switch (event.type) {
      case 'card.created':
        if (event.payload.card.stream === 'maintenance')
          this.follow(event.payload.card.id, Date.parse(event.at));
        break;
      case 'card.updated':
        if (
          event.payload.card.stream === 'maintenance' ||
          event.payload.changes.some((c) => c.field === 'stream')
        )
          this.follow(event.payload.card.id, Date.parse(event.at));
        break;
      case 'card.moved':
        if (event.payload.card.stream === 'maintenance' || event.payload.from.stream === 'maintenance')
          this.follow(event.payload.card.id, Date.parse(event.at));
        break;
      case 'cards.moved':
        for (const card of event.payload.cards) this.follow(card.id, Date.parse(event.at));
        break;
      case 'card.deleted':
        this.follow(event.payload.cardId, Date.parse(event.at));
        break;
      case 'card.commented':
        if (event.actor.id !== null) this.follow(event.payload.comment.cardId, Date.parse(event.at));
        break;
      default:
        break;
    }
  }

  private follow(cardId: string, at: number): void {
    const work = commitWithEvents(this.db, this.bus, (trx, record) =>
      this.reconcile(trx, record, cardId, at),
    ).catch((err) => this.log(err, `reconciling the SLA clock of card ${cardId}`));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves when the clock changes started so far have committed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Brings a card's clock in line with the card. `startAt`: when a clock started now counts from (the
   * change that made the card an incident). `due`: the scheduler's call, only for a clock still due and
   * not held by another instance.
   */
  async reconcile(
    trx: Trx,
    record: RecordEvent,
    cardId: string,
    startAt: number | null,
    due = false,
  ): Promise<void> {
    let row = await repo.lockClock(trx, cardId, due);
    if (due && !row) return;
    const card = await repo.cardFacts(trx, cardId);
    const kind = card ? slaKindOf(card) : null;
    if (!card || !kind) {
      // no longer an incident or request (or gone): its clocks go with it
      if (row) await repo.deleteClock(trx, cardId);
      return;
    }
    const doc = await this.documentFor(trx, card.board_id);
    const now = Date.now();
    const changes: string[] = [];
    if (!row) {
      if (card.done_at) return;
      const startedAt = new Date(Math.min(startAt ?? now, now));
      const tier = tierOfPriority(card.priority);
      row =
        (await repo.insertClock(trx, {
          card_id: cardId,
          board_id: card.board_id,
          kind,
          started_at: startedAt,
          tiers: JSON.stringify([{ at: startedAt.toISOString(), tier }]),
        })) ?? (await repo.lockClock(trx, cardId));
      if (!row) return;
      changes.push('started');
    }
    const set: repo.ClockChange = {};
    if (row.kind !== kind) {
      set.kind = kind;
      changes.push('kind');
    }
    if (!row.response_met_at) {
      const at = await repo.firstHumanActionAt(trx, cardId, row.started_at);
      if (at) {
        set.response_met_at = at;
        changes.push('responded');
      }
    }
    const pauses = row.pauses as Pause[];
    if (card.done_at && !row.resolved_at) {
      set.resolved_at = card.done_at;
      set.waiting = null;
      if (pauses.at(-1)?.to === null)
        set.pauses = JSON.stringify(
          pauses.map((p, i) => (i === pauses.length - 1 ? { ...p, to: iso(now) } : p)),
        );
      changes.push('resolved');
    } else if (!card.done_at && row.resolved_at) {
      // reopened: the time it spent resolved does not count
      set.pauses = JSON.stringify([
        ...pauses,
        { from: row.resolved_at.toISOString(), to: iso(now), on: 'resolved' },
      ]);
      set.resolved_at = null;
      changes.push('reopened');
    }
    await this.settle(trx, record, row, doc, set, changes, now, card.priority);
  }

  /**
   * Writes a clock's change with its tier, announced stages and next due instant, and records what
   * happened: `sla.clock` for any change of the clock (started, responded, paused, tier, resolved;
   * a few in a card's life, not one per move), then `sla.warning` / `sla.breached` for each stage now
   * due. Writes nothing when nothing changed.
   */
  private async settle(
    trx: Trx,
    record: RecordEvent,
    row: SlaClockRow,
    doc: SlaDocument,
    set: repo.ClockChange,
    changes: string[],
    now: number,
    priority?: string,
  ): Promise<CardSla> {
    const impact = set.impact !== undefined ? set.impact : row.impact;
    const urgency = set.urgency !== undefined ? set.urgency : row.urgency;
    const rated = impact !== null && urgency !== null ? tierOf(doc.matrix, impact, urgency) : null;
    const tiers = row.tiers as TierMark[];
    const current = tiers[tiers.length - 1]!.tier;
    const tier = rated ?? (priority ? tierOfPriority(priority) : current);
    if (tier !== current && !(set.resolved_at ?? row.resolved_at)) {
      set.tiers = JSON.stringify([...tiers, { at: iso(now), tier }]);
      changes.push('tier');
    }
    const merged: SlaClockRow = {
      ...row,
      ...(set as Partial<SlaClockRow>),
      tiers: set.tiers ? JSON.parse(set.tiers) : row.tiers,
      pauses: set.pauses ? JSON.parse(set.pauses) : row.pauses,
    };
    const clocks = cardClocks(doc, factsOf(merged), row.fired, now);
    const nextDue = clocks.next ? new Date(clocks.next.at) : null;
    if (clocks.due.length > 0) set.fired = [...row.fired, ...clocks.due];
    if (ms(nextDue) !== ms(row.next_due_at)) {
      set.next_due_at = nextDue;
      set.next_stage = clocks.next?.stage ?? null;
    }
    if (Object.keys(set).length === 0 && changes.length === 0) return toCardSla(row, clocks);
    const updated = await repo.updateClock(trx, row.card_id, set);
    const clock = toCardSla(updated, clocks);
    const base = { boardId: row.board_id, cardId: row.card_id, actor: SLA_ACTOR };
    // Every change of a clock is told (a few per card's life: started, responded, paused, tier,
    // resolved), so open boards show its time left without asking.
    if (changes.length > 0)
      await record({ ...base, type: 'sla.clock', payload: { clock, change: changes.join(',') } });
    for (const stage of clocks.due) await record({ ...base, ...announcement(stage, clocks, clock) });
    return clock;
  }

  private async documentFor(db: Db, boardId: string): Promise<SlaDocument> {
    return (await repo.documentOf(db, boardId))?.document ?? DEFAULT_SLA;
  }

  // ---- the scheduler -----------------------------------------------------------------------------

  /**
   * Announces what is due: one index range scan for the due clocks, then each settled in a
   * transaction of its own under its row lock (skipped when another instance holds it). The number it
   * settled.
   */
  async tick(): Promise<number> {
    const ids = await repo.dueCardIds(this.db, DUE_BATCH);
    for (let i = 0; i < ids.length; i += DUE_CONCURRENCY)
      await Promise.all(
        ids
          .slice(i, i + DUE_CONCURRENCY)
          .map((id) =>
            commitWithEvents(this.db, this.bus, (trx, record) =>
              this.reconcile(trx, record, id, null, true),
            ).catch((err) => this.log(err, `announcing the SLA stage of card ${id}`)),
          ),
      );
    return ids.length;
  }

  /**
   * Starts clocks missed while the server was down, then polls for due stages every `everyMs`, or
   * sooner when the next stage is due sooner.
   */
  start(everyMs = 1000): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      try {
        for (;;) {
          const ids = await repo.unclockedCardIds(this.db, DUE_BATCH);
          for (const id of ids)
            await commitWithEvents(this.db, this.bus, (trx, record) => this.reconcile(trx, record, id, null));
          if (ids.length < DUE_BATCH || this.stopped) break;
        }
      } catch (err) {
        this.log(err, 'starting missed SLA clocks');
      }
      while (!this.stopped) {
        let settled = 0;
        let sleepMs = everyMs;
        try {
          settled = await this.tick();
          // Sleep until the next instant due, if sooner than the next poll: a clock started meanwhile
          // (here or on another instance) is seen at the next poll at the latest.
          const next = await repo.nextDueAt(this.db);
          // One already due is held by another instance, or failed: look again shortly, not in a spin.
          if (next) {
            const wait = next.getTime() - Date.now();
            sleepMs = wait <= 0 ? Math.min(everyMs, 200) : Math.max(5, Math.min(everyMs, wait));
          }
        } catch (err) {
          this.log(err, 'polling due SLA clocks');
        }
        // a full batch: more are due now, go on at once
        if (settled >= DUE_BATCH) continue;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, sleepMs);
        });
      }
    };
    this.running = loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.running;
    this.running = null;
    await this.idle();
  }
}

function announcement(stage: SlaStage, clocks: CardClocks, clock: CardSla) {
  const which = stage.startsWith('response') ? ('response' as const) : ('resolution' as const);
  const state = clocks[which];
  const warning = stage.endsWith('warning');
  const dueAt = iso(warning ? state.warningAt : state.breachAt)!;
  return warning
    ? { type: 'sla.warning' as const, payload: { clock, which, dueAt } }
    : { type: 'sla.breached' as const, payload: { clock, which, dueAt } };
}
