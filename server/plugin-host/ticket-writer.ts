/**
 * Applies a plugin's ticket actions inside the caller's transaction: creates or updates the ticket
 * for a dedup key, counts occurrences, resolves / reviews / reopens, comments and links, always
 * attributed to the plugin's actor. What is the plugin's own stays here: dedup keys, occurrences,
 * routing (domain/ticket-routing.ts) and lifecycle decisions (domain/ticket-lifecycle.ts). Every card
 * write goes through the card writes a person's request uses (cards/writes.ts): the same create,
 * update, comment and link, and a move decided by the same facts and rules, WIP counted under the
 * column's lock; what the rules refuse, a plugin cannot do either. Board events are collected in an
 * EventSink and appended at the end of the transaction (one per card per batch of changes) through
 * commitWithEvents, which publishes them after the commit.
 */
import type { Transaction } from 'kysely';
import type { CardType } from '../../protocol/model.ts';
import type {
  ActionResult,
  KnownError,
  Lifecycle,
  LinkKind,
  PluginCardSource,
  TicketAction,
  TicketKind,
  TicketRef,
  TicketRouting,
  TicketSignal,
} from '../../protocol/plugin.ts';
import type { Actor } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import * as cardWrites from '../cards/writes.ts';
import * as columnRepo from '../columns/repo.ts';
import type { MoveRequest } from '../domain/card-move.ts';
import {
  decideOnFailure,
  decideOnRecovery,
  doneColumn,
  type FailureDecision,
  reviewColumn,
} from '../domain/ticket-lifecycle.ts';
import { type Route, routeTicket } from '../domain/ticket-routing.ts';
import { linkTargetFor, recordLink, routeFor } from '../hypercare/service.ts';
import type { ErrorCode } from '../infra/errors.ts';
import type { CardRow, CardUpdate, ColumnRow, Database, PluginTicketRow } from '../infra/schema.ts';
import { triagerOnDuty } from '../oncall/triage.ts';
import { joinNamedRelease } from '../releases/service.ts';
import type { NewEvent, NewEventOf, RecordEvent } from '../sync/event-log.ts';
import * as repo from './repo.ts';

type Trx = Transaction<Database>;

const CARD_TYPE_BY_KIND: Record<TicketKind, CardType> = {
  ci_failure: 'defect_automated',
  incident: 'incident',
  problem: 'problem',
  request: 'service_request',
};

/** The events that carry a card's state. */
type StateEvent = NewEventOf<'card.created'> | NewEventOf<'card.updated'> | NewEventOf<'card.moved'>;
const isState = (e: NewEvent): e is StateEvent =>
  e.type === 'card.created' || e.type === 'card.moved' || e.type === 'card.updated';

/**
 * Two state changes of one card as one event carrying the final card (created > moved > updated).
 * A move's event carries only the card's new place: laid over the card the batch knew.
 */
function fold(prev: StateEvent, next: StateEvent): StateEvent {
  if (prev.type === 'card.created')
    return { ...prev, payload: { card: { ...prev.payload.card, ...next.payload.card } } };
  if (next.type === 'card.created')
    return {
      ...prev,
      type: 'card.created',
      payload: { card: { ...prev.payload.card, ...next.payload.card } },
    };
  const card = { ...prev.payload.card, ...next.payload.card };
  const changes = [...(prev.payload.changes ?? []), ...(next.payload.changes ?? [])];
  const warning =
    (next.type === 'card.moved' ? next.payload.warning : undefined) ??
    (prev.type === 'card.moved' ? prev.payload.warning : undefined);
  const moved = (from: NewEventOf<'card.moved'>['payload']['from']): StateEvent => ({
    ...prev,
    type: 'card.moved',
    payload: { card, from, changes, ...(warning ? { warning } : {}) },
  });
  if (prev.type === 'card.moved') return moved(prev.payload.from);
  if (next.type === 'card.moved') return moved(next.payload.from);
  return { ...prev, payload: { card: { ...prev.payload.card, ...next.payload.card }, changes } };
}

/**
 * Board events of one transaction. Successive state changes of one card by one actor fold into one
 * event carrying the final card (created > moved > updated), so a client sees one change per card.
 */
export class EventSink {
  private readonly pending: NewEvent[] = [];

  add(e: NewEvent): void {
    if (isState(e) && e.cardId) {
      const at = this.pending.findLastIndex((p) => p.cardId === e.cardId);
      const prev = this.pending[at];
      if (prev && isState(prev) && prev.actor.label === e.actor.label) {
        this.pending[at] = fold(prev, e);
        return;
      }
    }
    this.pending.push(e);
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * The sink as the card writes' recorder: an event joins the batch; a guarded change runs first,
   * and its event joins only when the change touched a row.
   */
  readonly recorder = (async (e: NewEvent, guardedBy?: cardWrites.GuardedChange) => {
    if (guardedBy && (await guardedBy.execute()).length === 0) return null;
    this.add(e);
    return e;
  }) as cardWrites.EventRecorder<NewEvent>;

  /** Record every pending event through commitWithEvents' `record`: logged now, published after the commit. */
  async flush(record: RecordEvent): Promise<void> {
    for (const e of this.pending) await record(e);
    this.pending.length = 0;
  }
}

/** What a writer acts as and with which config. */
export interface WriterScope {
  boardId: string;
  pluginId: string;
  installationId: string | null;
  routing: TicketRouting;
  lifecycle: Lifecycle;
  actor: Actor;
  deliveryId: string | null;
  /** occurrence key when the plugin gives no occurrenceId: the delivery (or hook run) */
  occurrencePrefix: string;
  /** when the delivery was received; occurrence time when the source gives none */
  receivedAt: Date;
}

export interface IncidentOccurrence {
  cardId: string;
  title: string;
  fingerprint: string | null;
  service: string | null;
  occurrenceKey: string;
}

interface Resolved {
  card: CardRow;
  ticket: PluginTicketRow | null;
}

/** A plugin's move: done, or refused with the rules' own words. */
type MoveOutcome = { ok: true; card: CardRow } | { ok: false; reason: string };

/** A move the rules refused a plugin: the code and field a person would have been answered with. */
export interface RefusedMove {
  cardId: string;
  code: ErrorCode;
  field?: string;
  reason: string;
}

const iso = (d: Date) => d.toISOString();

/** The dedup keys of this plugin's own namespace an action list touches (to lock them up front). */
export function ownKeysOf(actions: readonly TicketAction[]): string[] {
  const keys = new Set<string>();
  const add = (ref: TicketRef | { plugin: string; dedupKey: string }) => {
    if (typeof ref === 'string') keys.add(ref);
  };
  for (const a of actions) {
    if (a.op === 'raise') keys.add(a.ticket.dedupKey);
    else if (a.op === 'ignore') continue;
    else {
      add(a.ref);
      if (a.op === 'link') add(a.to);
    }
  }
  return [...keys];
}

export class TicketWriter {
  readonly results: ActionResult[] = [];
  readonly cardIds = new Set<string>();
  readonly newIncidents: IncidentOccurrence[] = [];
  /** the moves the rules refused, as a person would have been told */
  readonly refusals: RefusedMove[] = [];
  private columns: ColumnRow[] | null = null;

  constructor(
    private readonly trx: Trx,
    private readonly scope: WriterScope,
    private readonly sink: EventSink,
  ) {}

  async apply(actions: readonly TicketAction[]): Promise<void> {
    let raises = 0;
    for (const action of actions) {
      switch (action.op) {
        case 'raise':
          await this.raise(action.ticket, raises++);
          break;
        case 'recover':
          await this.recover(action.ref, action.note, action.url);
          break;
        case 'resolve':
          await this.resolve(action.ref, action.note);
          break;
        case 'reopen':
          await this.reopen(action.ref, action.note);
          break;
        case 'comment':
          await this.commentOn(action.ref, action.body);
          break;
        case 'update':
          await this.update(action.ref, action.fields);
          break;
        case 'link':
          await this.link(action.ref, action.to, action.kind);
          break;
        case 'ignore':
          this.results.push({ op: 'ignore', result: 'ignored', message: action.reason });
          break;
      }
    }
  }

  // ---- raise: create, count, reopen or raise new ---------------------------------------------

  async raise(signal: TicketSignal, index: number): Promise<{ card: CardRow; decision: FailureDecision }> {
    const { trx, scope } = this;
    const occurrenceKey = signal.occurrenceId ?? `${scope.occurrencePrefix}${index > 0 ? `#${index}` : ''}`;
    const occurredAt = signal.occurredAt ? new Date(signal.occurredAt) : scope.receivedAt;
    const route = routeTicket(scope.routing, signal);

    let ticket = (await repo.findTicket(trx, scope.boardId, scope.pluginId, signal.dedupKey)) ?? null;
    let card = ticket ? ((await cardRepo.lockCard(trx, scope.boardId, ticket.card_id)) ?? null) : null;
    if (ticket && !card) ticket = null; // the card was deleted under us; start again
    const decision = decideOnFailure(
      ticket && card
        ? {
            resolved: card.done_at !== null,
            occurrenceSeen: await repo.occurrenceSeen(trx, ticket.id, occurrenceKey),
          }
        : null,
      scope.lifecycle,
    );

    let result: ActionResult['result'];
    const wasRecovered = ticket?.status === 'recovered';
    switch (decision) {
      case 'unchanged':
        result = 'unchanged';
        break;
      case 'create': {
        card = await this.createCard(signal, route, occurredAt);
        ticket = await repo.insertTicket(trx, {
          board_id: scope.boardId,
          plugin_id: scope.pluginId,
          dedup_key: signal.dedupKey,
          card_id: card.id,
          installation_id: scope.installationId,
          kind: signal.kind,
          status: 'firing',
          occurrences: 1,
          first_seen_at: occurredAt,
          last_seen_at: occurredAt,
          last_url: signal.url ?? null,
          fingerprint: signal.fingerprint ?? null,
          service: signal.service ?? null,
          known_error: signal.kind === 'problem' ? { rootCause: '', workaround: '' } : undefined,
        });
        result = 'created';
        break;
      }
      case 'raise_new': {
        const previous = card!;
        card = await this.createCard(signal, route, occurredAt);
        await this.insertLink(card, previous, 'recurrence_of');
        ticket = await repo.updateTicket(trx, ticket!.id, {
          card_id: card.id,
          status: 'firing',
          occurrences: 1,
          first_seen_at: occurredAt,
          last_seen_at: occurredAt,
          last_url: signal.url ?? null,
        });
        result = 'created';
        break;
      }
      case 'count':
      case 'reopen': {
        ticket = await repo.updateTicket(trx, ticket!.id, {
          status: 'firing',
          occurrences: ticket!.occurrences + 1,
          last_seen_at: new Date(Math.max(occurredAt.getTime(), ticket!.last_seen_at.getTime())),
          last_url: signal.url ?? ticket!.last_url,
        });
        const source = this.sourceFor(card!, ticket, { status: 'firing', url: signal.url });
        if (decision === 'reopen') {
          card = await this.updateCard(card!, { source: JSON.stringify(source) }, [
            { field: 'occurrences', from: ticket.occurrences - 1, to: ticket.occurrences },
          ]);
          card = await this.backToBacklog(card, route.position);
          await this.comment(
            card,
            `Reopened: failed again after it was resolved${signal.url ? ` (${signal.url})` : ''}.`,
          );
          result = 'reopened';
        } else {
          card = await this.updateCard(card!, { source: JSON.stringify(source) }, [
            { field: 'occurrences', from: ticket.occurrences - 1, to: ticket.occurrences },
          ]);
          if (wasRecovered)
            await this.comment(card, `Failing again after recovery${signal.url ? ` (${signal.url})` : ''}.`);
          result = 'updated';
        }
        break;
      }
    }

    if (decision !== 'unchanged') {
      const inserted = await repo.insertOccurrence(trx, {
        ticket_id: ticket!.id,
        board_id: scope.boardId,
        card_id: card!.id,
        occurrence_key: occurrenceKey,
        kind: signal.kind,
        fingerprint: signal.fingerprint ?? null,
        service: signal.service ?? null,
        delivery_id: scope.deliveryId,
        url: signal.url ?? null,
        occurred_at: occurredAt,
      });
      if (inserted && signal.kind === 'incident') {
        this.newIncidents.push({
          cardId: card!.id,
          title: signal.title,
          fingerprint: signal.fingerprint ?? null,
          service: signal.service ?? null,
          occurrenceKey: `${scope.pluginId}:${signal.dedupKey}:${occurrenceKey}`,
        });
      }
    }
    this.record('raise', result, signal.dedupKey, card!);
    return { card: card!, decision };
  }

  // ---- recovery and explicit transitions --------------------------------------------------

  private async recover(ref: TicketRef, note?: string, url?: string) {
    const found = await this.resolveRef(ref);
    const decision = decideOnRecovery(
      found
        ? { resolved: found.card.done_at !== null, recovered: found.ticket?.status === 'recovered' }
        : null,
      this.scope.lifecycle,
    );
    if (!found || decision.kind === 'ignore') {
      this.record(
        'recover',
        'ignored',
        refKey(ref),
        found?.card,
        decision.kind === 'ignore' ? decision.reason : undefined,
      );
      return;
    }
    let { card } = found;
    const quiet = decision.alreadyRecovered === true;
    if (found.ticket && !quiet) await repo.updateTicket(this.trx, found.ticket.id, { status: 'recovered' });
    const source =
      found.ticket && !quiet
        ? JSON.stringify(this.sourceFor(card, found.ticket, { status: 'recovered' }))
        : undefined;
    if (!quiet) await this.comment(card, ['Recovered.', note, url].filter(Boolean).join(' '));
    let result: ActionResult['result'] = quiet ? 'unchanged' : 'annotated';
    let message: string | undefined;
    let moved = false;
    if (decision.kind !== 'annotate') {
      const columns = await this.boardColumns();
      const target =
        decision.kind === 'resolve'
          ? doneColumn(columns, card.stream)
          : reviewColumn(columns, card.stream, this.scope.lifecycle.reviewColumn);
      if (!target)
        message = `the ${card.stream} stream has no ${decision.kind === 'resolve' ? 'done' : 'review'} column`;
      else if (target.id === card.column_id) result = decision.kind === 'resolve' ? 'resolved' : 'review';
      else {
        const outcome = await this.moveByRules(card, { columnId: target.id });
        if (outcome.ok) {
          card = outcome.card;
          moved = true;
          result = decision.kind === 'resolve' ? 'resolved' : 'review';
        } else {
          message = `not moved to "${target.name}": ${outcome.reason}`;
          if (!quiet) await this.comment(card, `Not moved to "${target.name}": ${outcome.reason}.`);
        }
      }
    }
    // The ticket's new status rides with the move, or stands alone when nothing moved.
    if (source && (moved || result === 'annotated'))
      card = await this.updateCard(card, { source }, [{ field: 'status', from: 'firing', to: 'recovered' }]);
    this.record('recover', result, refKey(ref), card, message);
  }

  private async resolve(ref: TicketRef, note?: string) {
    const found = await this.resolveRef(ref);
    if (!found) return this.record('resolve', 'ignored', refKey(ref), undefined, 'no such ticket');
    if (found.card.done_at) return this.record('resolve', 'unchanged', refKey(ref), found.card);
    const done = doneColumn(await this.boardColumns(), found.card.stream);
    if (!done) return this.record('resolve', 'ignored', refKey(ref), found.card, 'no done column');
    const moved = await this.moveByRules(found.card, { columnId: done.id });
    if (!moved.ok) {
      const message = `not moved to "${done.name}": ${moved.reason}`;
      await this.comment(
        found.card,
        [note, `Not moved to "${done.name}": ${moved.reason}.`].filter(Boolean).join(' '),
      );
      return this.record('resolve', 'annotated', refKey(ref), found.card, message);
    }
    if (note) await this.comment(moved.card, note);
    this.record('resolve', 'resolved', refKey(ref), moved.card);
  }

  private async reopen(ref: TicketRef, note?: string) {
    const found = await this.resolveRef(ref);
    if (!found) return this.record('reopen', 'ignored', refKey(ref), undefined, 'no such ticket');
    if (!found.card.done_at) return this.record('reopen', 'unchanged', refKey(ref), found.card);
    if (found.ticket) await repo.updateTicket(this.trx, found.ticket.id, { status: 'firing' });
    const card = await this.backToBacklog(found.card, 'top');
    if (note) await this.comment(card, note);
    this.record('reopen', 'reopened', refKey(ref), card);
  }

  private async commentOn(ref: TicketRef, body: string) {
    const found = await this.resolveRef(ref);
    if (!found) return this.record('comment', 'ignored', refKey(ref), undefined, 'no such ticket');
    await this.comment(found.card, body);
    this.record('comment', 'commented', refKey(ref), found.card);
  }

  async update(
    ref: TicketRef,
    fields: {
      title?: string;
      description?: string;
      severity?: TicketSignal['severity'];
      knownError?: KnownError;
    },
  ) {
    const found = await this.resolveRef(ref);
    if (!found) return this.record('update', 'ignored', refKey(ref), undefined, 'no such ticket');
    let { card, ticket } = found;
    const set: CardUpdate = {};
    const changes: { field: string; from: unknown; to: unknown }[] = [];
    if (fields.title !== undefined && fields.title.trim() !== card.title) {
      changes.push({ field: 'title', from: card.title, to: fields.title.trim() });
      set.title = fields.title.trim();
    }
    if (fields.description !== undefined && fields.description !== card.description) {
      changes.push({ field: 'description', from: card.description, to: fields.description });
      set.description = fields.description;
    }
    if (fields.severity !== undefined) {
      const priority = this.scope.routing.priority[fields.severity];
      if (priority !== card.priority) {
        changes.push({ field: 'priority', from: card.priority, to: priority });
        set.priority = priority;
      }
    }
    if (fields.knownError !== undefined && ticket) {
      const knownError = {
        rootCause: '',
        workaround: '',
        ...(ticket.known_error as KnownError | null),
        ...fields.knownError,
      };
      ticket = await repo.updateTicket(this.trx, ticket.id, { known_error: knownError });
      const before = (card.source as { knownError?: unknown } | null)?.knownError ?? null;
      changes.push({ field: 'knownError', from: before, to: knownError });
      set.source = JSON.stringify({ ...(card.source as object | null), knownError });
    }
    if (changes.length === 0) return this.record('update', 'unchanged', refKey(ref), card);
    card = await this.updateCard(card, set, changes);
    this.record('update', 'updated', refKey(ref), card);
  }

  private async link(ref: TicketRef, to: TicketRef | { plugin: string; dedupKey: string }, kind: LinkKind) {
    const from = await this.resolveRef(ref);
    const target =
      typeof to === 'object' && 'plugin' in to
        ? await this.resolveForeign(to.plugin, to.dedupKey)
        : await this.resolveRef(to);
    if (!from || !target) return this.record('link', 'ignored', refKey(ref), from?.card, 'no such ticket');
    const linked = await this.insertLink(from.card, target.card, kind);
    this.record('link', linked ? 'linked' : 'unchanged', refKey(ref), from.card);
  }

  /** Links two cards (idempotent); a new link is a board event on the first card. */
  async insertLink(from: CardRow, to: CardRow, kind: LinkKind): Promise<boolean> {
    const { boardId, actor } = this.scope;
    const inserted = await cardWrites.linkCards(this.trx, this.sink.recorder, actor, boardId, from, to, kind);
    if (inserted) this.cardIds.add(from.id);
    return inserted;
  }

  // ---- row helpers ------------------------------------------------------------------------

  private async resolveRef(ref: TicketRef): Promise<Resolved | null> {
    const { trx, scope } = this;
    if (typeof ref === 'string') {
      const ticket = await repo.findTicket(trx, scope.boardId, scope.pluginId, ref);
      if (!ticket) return null;
      const card = await cardRepo.lockCard(trx, scope.boardId, ticket.card_id);
      return card ? { card, ticket } : null;
    }
    const card = await cardRepo.lockCard(trx, scope.boardId, ref.cardId);
    if (!card) return null;
    return { card, ticket: (await repo.findTicketByCard(trx, card.id)) ?? null };
  }

  private async resolveForeign(pluginId: string, dedupKey: string): Promise<Resolved | null> {
    const ticket = await repo.findTicket(this.trx, this.scope.boardId, pluginId, dedupKey);
    if (!ticket) return null;
    const card = await cardRepo.findCard(this.trx, this.scope.boardId, ticket.card_id);
    return card ? { card, ticket } : null;
  }

  async lockCard(cardId: string): Promise<CardRow | null> {
    return (await cardRepo.lockCard(this.trx, this.scope.boardId, cardId)) ?? null;
  }

  private async boardColumns(): Promise<ColumnRow[]> {
    this.columns ??= await columnRepo.boardColumns(this.trx, this.scope.boardId);
    return this.columns;
  }

  private sourceFor(
    card: CardRow,
    ticket: PluginTicketRow,
    change: { status: 'firing' | 'recovered'; url?: string },
  ): Record<string, unknown> {
    return {
      ...(card.source as Record<string, unknown> | null),
      occurrences: ticket.occurrences,
      lastSeenAt: iso(ticket.last_seen_at),
      status: change.status,
      ...(change.url ? { url: change.url } : {}),
    };
  }

  private async createCard(signal: TicketSignal, route: Route, occurredAt: Date): Promise<CardRow> {
    const { trx, scope } = this;
    const labels = [...new Set([...(signal.labels ?? []), `sla:${route.slaTier}`.slice(0, 40)])].slice(0, 20);
    const source: PluginCardSource = {
      plugin: scope.pluginId,
      kind: signal.kind,
      ...(signal.url ? { url: signal.url } : {}),
      dedupKey: signal.dedupKey,
      installationId: scope.installationId,
      occurrences: 1,
      firstSeenAt: iso(occurredAt),
      lastSeenAt: iso(occurredAt),
      status: 'firing',
      severity: route.severity,
      slaTier: route.slaTier,
      ...(signal.branch ? { branch: signal.branch } : {}),
      ...(signal.service ? { service: signal.service } : {}),
      ...(signal.fingerprint ? { fingerprint: signal.fingerprint } : {}),
      ...(signal.environment ? { environment: signal.environment } : {}),
      ...(signal.kind === 'problem' ? { knownError: { rootCause: '', workaround: '' } } : {}),
      ...(signal.requester ? { requester: signal.requester } : {}),
    };
    // An incident or defect of a live release (a version label, or a service its plan names) is routed by its hyper-care:
    // the builders' stream, flagged and expedited during it; maintenance after it.
    const target = signal.kind === 'problem' ? null : await linkTargetFor(trx, scope.boardId, signal);
    const linked = target
      ? routeFor(target, { priority: route.priority, classOfService: route.classOfService, labels })
      : null;
    const row = await cardWrites.createCard(
      trx,
      this.sink.recorder,
      scope.actor,
      scope.boardId,
      route.position,
      {
        title: signal.title.trim(),
        description: signal.description ?? '',
        type: signal.type ?? CARD_TYPE_BY_KIND[signal.kind],
        stream: linked?.stream ?? route.stream,
        priority: linked?.priority ?? route.priority,
        class_of_service: linked?.classOfService ?? route.classOfService,
        estimate: null,
        labels: linked?.labels ?? labels,
        // A request by e-mail is triaged by whoever is on duty as it arrives, as the portal's are.
        assignee_id:
          signal.kind === 'request' ? await triagerOnDuty(this.trx, scope.boardId, scope.receivedAt) : null,
        due_date: null,
        source: JSON.stringify(source),
        created_by: null,
      },
    );
    if (target && linked) await recordLink(trx, this.sink.recorder, scope.actor, target, row, linked);
    // Raised naming a release on its way: the ticket joins its scope ("tickets raised later join it").
    else if (signal.release) {
      const release = await joinNamedRelease(
        trx,
        this.sink.recorder,
        scope.actor,
        scope.boardId,
        signal.release,
        row.id,
      );
      if (release)
        this.results.push({
          op: 'release.join',
          result: 'updated',
          cardId: row.id,
          cardKey: row.key,
          message: `${row.key} joined release ${release.version}`,
        });
    }
    this.cardIds.add(row.id);
    return row;
  }

  async updateCard(
    card: CardRow,
    set: CardUpdate,
    changes: { field: string; from: unknown; to: unknown }[],
  ): Promise<CardRow> {
    const { boardId, actor } = this.scope;
    const row = await cardWrites.updateCard(this.trx, this.sink.recorder, actor, boardId, card, set, changes);
    this.cardIds.add(card.id);
    return row;
  }

  /**
   * Moves the card by the card writes a person's move goes through (cards/writes.ts): the facts
   * `loadMoves` reads, the pure rules, WIP counted under the column's lock. The card is already locked
   * by this transaction, so nobody moves it between the read and the write. A refusal is kept with
   * the code a person would get (`refusals`) and answered in the rules' own words.
   */
  private async moveByRules(card: CardRow, request: MoveRequest): Promise<MoveOutcome> {
    const { trx, scope } = this;
    const outcome = await cardWrites.moveCard(
      trx,
      this.sink.recorder,
      scope.actor,
      scope.boardId,
      card.id,
      request,
    );
    if (outcome === null) throw new Error(`card ${card.key} changed under this transaction's lock`);
    if (!outcome.ok) {
      const field = outcome.error.details.field as string | undefined;
      this.refusals.push({
        cardId: card.id,
        code: outcome.error.code,
        ...(field ? { field } : {}),
        reason: outcome.reason,
      });
      return { ok: false, reason: outcome.reason };
    }
    this.cardIds.add(card.id);
    return { ok: true, card: (await cardRepo.findCard(trx, scope.boardId, card.id))! };
  }

  /**
   * Out of its column and sprint, to the top or bottom of the backlog: what a person does by dropping
   * it before the first card (after the last). The rules never refuse this move.
   */
  private async backToBacklog(card: CardRow, position: 'top' | 'bottom'): Promise<CardRow> {
    const edge = await cardRepo.edgeCard(this.trx, this.scope.boardId, position);
    const anchor =
      !edge || edge.id === card.id ? {} : position === 'top' ? { beforeId: edge.id } : { afterId: edge.id };
    const moved = await this.moveByRules(card, { columnId: null, sprintId: null, ...anchor });
    if (!moved.ok) throw new Error(`moving ${card.key} back to the backlog was refused: ${moved.reason}`);
    return moved.card;
  }

  async comment(card: CardRow, body: string): Promise<void> {
    await cardWrites.addComment(
      this.trx,
      this.sink.recorder,
      this.scope.actor,
      this.scope.boardId,
      card.id,
      body,
    );
    this.cardIds.add(card.id);
  }

  private record(
    op: string,
    result: ActionResult['result'],
    dedupKey?: string,
    card?: CardRow,
    message?: string,
  ) {
    this.results.push({
      op,
      result,
      ...(dedupKey !== undefined ? { dedupKey } : {}),
      ...(card ? { cardId: card.id, cardKey: card.key } : {}),
      ...(message ? { message } : {}),
    });
  }
}

function refKey(ref: TicketRef): string {
  return typeof ref === 'string' ? ref : `card:${ref.cardId}`;
}
