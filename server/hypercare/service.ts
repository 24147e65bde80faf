/**
 * Hyper-care and handover of live releases (issue 17): start at go-live (in the go-live's own
 * transaction, `startHypercare`), the handover checklist, acceptance (which hands the release's open
 * tickets to the maintenance stream in one event), extensions, early exits, the window's end (the
 * timer) and the routing of incidents linked to a release. Every change is decided under the
 * hyper-care row's lock by the pure rules in domain/hypercare.ts, its decision is inserted into the
 * immutable history, and it is recorded as a `hypercare.updated` board event in the same transaction.
 */
import type { Transaction } from 'kysely';
import type { Hypercare, HypercarePlan, HypercareSettings } from '../../protocol/hypercare.ts';
import type { Card, ClassOfService, Priority, Stream } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import * as cardWrites from '../cards/writes.ts';
import {
  accept,
  DEFAULT_CHECKLIST,
  DEFAULT_HANDOVER_POINT,
  DEFAULT_WINDOW_DAYS,
  type Decision,
  exitEarly,
  extend,
  type HandoverPoint,
  type HandoverState,
  type Hypercare as HypercareFacts,
  type HypercareState,
  type IncidentRoute,
  type Outcome,
  reject,
  releaseForService,
  releaseReference,
  routeLinkedIncident,
  start,
  submit,
  tick,
  windowEnd,
} from '../domain/hypercare.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardRow, Database, HypercareRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents, type NewEvent, type RecordEvent } from '../sync/event-log.ts';
import * as repo from './repo.ts';

type Trx = Transaction<Database>;
/** Where an event goes: commitWithEvents' `record` or a plugin batch's sink. */
export type Recorder = (event: NewEvent) => Promise<unknown>;

/** A hyper-care day. Windows are in days, fractions allowed; the instant arithmetic is UTC. */
export const DAY_MS = 86_400_000;
const DEFAULT_EXTENSION_DAYS = 7;

/** Who the window's end acts as. */
export const TIMER_ACTOR: Actor = { userId: null, label: 'hyper-care timer', isAdmin: true };

const LINKABLE_TYPES = new Set(['incident', 'defect_automated', 'defect_manual', 'problem']);

export function defaults(saved: repo.BoardDefaults | null): HypercareSettings {
  return {
    windowDays: saved?.windowDays ?? DEFAULT_WINDOW_DAYS,
    extensionDays: saved?.extensionDays ?? DEFAULT_EXTENSION_DAYS,
    handoverPoint: (saved?.handoverPoint as HandoverPoint | undefined) ?? DEFAULT_HANDOVER_POINT,
    checklist: saved?.checklist ?? DEFAULT_CHECKLIST.map((i) => ({ ...i })),
  };
}

const factsOf = (row: HypercareRow): HypercareFacts => ({
  state: row.state as HypercareState,
  startedAt: row.started_at,
  endsAt: row.ends_at,
  exitedAt: row.exited_at,
  ownerStream: row.owner_stream as Stream,
  handoverPoint: row.handover_point as HandoverPoint,
  handover: row.handover as HandoverState,
  checklist: row.checklist as HypercareFacts['checklist'],
});

async function toHypercare(db: Db | Trx, rows: HypercareRow[]): Promise<Hypercare[]> {
  const ids = rows.map((r) => r.release_id);
  const [decisions, versions] = await Promise.all([repo.decisions(db, ids), repo.versions(db, ids)]);
  return rows.map((row) => ({
    releaseId: row.release_id,
    boardId: row.board_id,
    version: versions.get(row.release_id) ?? '',
    state: row.state as Hypercare['state'],
    startedAt: row.started_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    exitedAt: row.exited_at ? row.exited_at.toISOString() : null,
    ownerStream: row.owner_stream as Stream,
    handoverPoint: row.handover_point as HandoverPoint,
    handover: row.handover as HandoverState,
    checklist: row.checklist as Hypercare['checklist'],
    decisions: decisions
      .filter((d) => d.release_id === row.release_id)
      .map((d) => ({
        kind: d.kind as Hypercare['decisions'][number]['kind'],
        by: { id: d.by_user_id, label: d.by_label },
        at: d.created_at.toISOString(),
        reason: d.reason,
        ...(d.ends_at ? { endsAt: d.ends_at.toISOString() } : {}),
      })),
    revision: row.revision,
  }));
}

async function writeDecision(trx: Trx, releaseId: string, d: Decision): Promise<void> {
  await repo.insertDecision(trx, {
    release_id: releaseId,
    kind: d.kind,
    by_user_id: d.by.userId,
    by_label: d.by.label,
    reason: d.reason,
    ends_at: d.endsAt ? new Date(d.endsAt) : null,
    created_at: new Date(d.at),
  });
}

/**
 * Hyper-care starts at go-live, in the transaction that makes the release live: the window from the
 * release's plan or the board's default, owned by the release's originating stream.
 */
export async function startHypercare(
  trx: Trx,
  record: Recorder,
  actor: Actor,
  release: { id: string; board_id: string; stream: string },
  at: Date = new Date(),
): Promise<void> {
  const board = defaults(await repo.settings(trx, release.board_id));
  const plan = await repo.plan(trx, release.id);
  const { hypercare, decision } = start({
    at,
    windowDays: plan?.window_days ?? board.windowDays,
    dayMs: DAY_MS,
    ownerStream: release.stream as Stream,
    handoverPoint: (plan?.handover_point as HandoverPoint | null) ?? board.handoverPoint,
    template: board.checklist,
    by: { userId: actor.userId, label: actor.label },
  });
  const row = await repo.insert(trx, {
    release_id: release.id,
    board_id: release.board_id,
    state: hypercare.state,
    started_at: hypercare.startedAt,
    ends_at: hypercare.endsAt,
    exited_at: null,
    extension_days: board.extensionDays,
    owner_stream: hypercare.ownerStream,
    handover_point: hypercare.handoverPoint,
    handover: hypercare.handover,
    checklist: JSON.stringify(hypercare.checklist),
  });
  if (!row) return;
  await writeDecision(trx, release.id, decision);
  const [payload] = await toHypercare(trx, [row]);
  await record({
    boardId: release.board_id,
    type: 'hypercare.updated',
    cardId: null,
    actor,
    payload: { hypercare: payload!, change: 'started' },
  });
}

// ---- incidents linked to a release ----------------------------------------------------------------

/** A release a ticket is linked to, and its hyper-care row, locked (null: never in hyper-care). */
export interface LinkTarget {
  release: { id: string; version: string; boardId: string };
  hypercare: HypercareRow | null;
}

/**
 * Locks the release's hyper-care row (when it has one) before the route is decided, so an incident
 * linked at the instant hyper-care ends is routed by one state only: before the timer's transition
 * or after it.
 */
export async function lockLinkTarget(
  trx: Trx,
  release: { id: string; version: string; boardId: string },
): Promise<LinkTarget> {
  return { release, hypercare: (await repo.lock(trx, release.id)) ?? null };
}

/**
 * The live release a plugin's ticket belongs to, with its hyper-care row locked: the one it names by
 * a label (`release:<version>` or `version:<version>`), else the latest live one whose plan names
 * its service or component. Null when none.
 */
export async function linkTargetFor(
  trx: Trx,
  boardId: string,
  signal: { labels?: readonly string[]; service?: string },
): Promise<LinkTarget | null> {
  const live = await repo.liveReleases(trx, boardId);
  if (live.length === 0) return null;
  const version = releaseReference(
    signal.labels ?? [],
    live.map((r) => r.version),
  );
  const release = live.find((r) => r.version === version) ?? releaseForService(signal.service, live);
  return release ? lockLinkTarget(trx, { id: release.id, version: release.version, boardId }) : null;
}

/** The route of a ticket linked to `target`: the pure rule over the locked hyper-care state. */
export function routeFor(
  target: LinkTarget,
  routed: { priority: Priority; classOfService: ClassOfService; labels: readonly string[] },
): IncidentRoute {
  return routeLinkedIncident(target.hypercare ? factsOf(target.hypercare) : null, routed);
}

/**
 * The ticket joins the release's scope and the `hypercare.incident` event tells the owning team
 * (during hyper-care) or the AMS team (after it). This event is the notification hook: the outgoing
 * notifications subscribe to it on the board event bus.
 */
export async function recordLink(
  trx: Trx,
  record: Recorder,
  actor: Actor,
  target: LinkTarget,
  card: Pick<CardRow, 'id' | 'key'>,
  route: IncidentRoute,
): Promise<void> {
  await repo.addCard(trx, target.release.id, card.id);
  await record({
    boardId: target.release.boardId,
    type: 'hypercare.incident',
    cardId: card.id,
    actor,
    payload: {
      incident: {
        releaseId: target.release.id,
        version: target.release.version,
        cardId: card.id,
        cardKey: card.key,
        stream: route.stream,
        hypercare: route.hypercare,
        ownerStream: (target.hypercare?.owner_stream as Stream | undefined) ?? 'maintenance',
      },
    },
  });
}

// ---- the service --------------------------------------------------------------------------------

type Decide = (
  trx: Trx,
  row: HypercareRow,
  record: RecordEvent,
) => Promise<{ outcome: Outcome; after?: (trx: Trx, record: RecordEvent) => Promise<void> } | null>;

export class HypercareService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async get(actor: Actor, boardId: string, releaseId: string): Promise<Hypercare> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const release = await repo.release(this.db, boardId, releaseId);
    if (!release) throw notFound('release');
    const row = await repo.find(this.db, releaseId);
    if (!row) throw notFound('hyper-care (the release is not live)');
    return (await toHypercare(this.db, [row]))[0]!;
  }

  /** The board's running hyper-care, for the badges on every card in a release's scope. */
  async running(actor: Actor, boardId: string): Promise<Hypercare[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return toHypercare(this.db, await repo.runningOnBoard(this.db, boardId));
  }

  async settings(actor: Actor, boardId: string): Promise<HypercareSettings> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return defaults(await repo.settings(this.db, boardId));
  }

  async saveSettings(actor: Actor, boardId: string, input: HypercareSettings): Promise<HypercareSettings> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const seen = new Set<string>();
    for (const [i, item] of input.checklist.entries()) {
      if (seen.has(item.key)) throw invalid(`checklist[${i}].key`, `${item.key} appears twice`);
      seen.add(item.key);
    }
    const saved = {
      windowDays: input.windowDays,
      extensionDays: input.extensionDays,
      handoverPoint: input.handoverPoint,
      checklist: input.checklist.map((i) => ({ key: i.key, label: i.label.trim() })),
    };
    await repo.saveSettings(this.db, boardId, saved);
    return saved;
  }

  /** A release's own window and handover point (used when it goes live; the board's otherwise). */
  async savePlan(
    actor: Actor,
    boardId: string,
    releaseId: string,
    input: HypercarePlan,
  ): Promise<HypercarePlan> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const release = await repo.release(this.db, boardId, releaseId);
    if (!release) throw notFound('release');
    if (await repo.find(this.db, releaseId))
      throw new AppError('CONFLICT', 'state: hyper-care has started; extend it instead', { field: 'state' });
    const services = [...new Set((input.services ?? []).map((s) => s.trim()).filter(Boolean))];
    const p = {
      window_days: input.windowDays ?? null,
      handover_point: input.handoverPoint ?? null,
      services: JSON.stringify(services),
    };
    await repo.savePlan(this.db, releaseId, p);
    return {
      windowDays: p.window_days,
      handoverPoint: p.handover_point as HypercarePlan['handoverPoint'],
      services,
    };
  }

  async tick(actor: Actor, boardId: string, releaseId: string, key: string, done: boolean) {
    await requireBoardPermission(this.db, actor, boardId, 'hypercare:work');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: tick(factsOf(row), key, done, who(actor), new Date()),
    }));
  }

  async submit(actor: Actor, boardId: string, releaseId: string, note?: string) {
    await requireBoardPermission(this.db, actor, boardId, 'hypercare:work');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: submit(factsOf(row), who(actor), new Date(), note?.trim() ?? ''),
    }));
  }

  /**
   * The AMS lead accepts: ownership passes to the AMS team, and the release's open tickets move to the
   * maintenance stream (to its backlog) in one `cards.moved` event, in the same transaction.
   */
  async accept(actor: Actor, boardId: string, releaseId: string, note?: string) {
    await requireBoardPermission(this.db, actor, boardId, 'handover:accept');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: accept(factsOf(row), who(actor), new Date(), note?.trim() ?? ''),
      after: async (trx, record) => {
        const open = await repo.openTicketsOutside(trx, releaseId, 'maintenance');
        if (open.length === 0) return;
        await cardRepo.bulkMoveCards(trx, open, 'maintenance', undefined);
        const cards: Card[] = (
          await cardRepo.cardsByIds(
            trx,
            open.map((c) => c.id),
          )
        ).map(cardRepo.toCard);
        await record({ boardId, type: 'cards.moved', cardId: null, actor, payload: { cards } });
      },
    }));
  }

  async reject(actor: Actor, boardId: string, releaseId: string, reason: string) {
    await requireBoardPermission(this.db, actor, boardId, 'handover:accept');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: reject(factsOf(row), who(actor), new Date(), reason),
    }));
  }

  async extend(actor: Actor, boardId: string, releaseId: string, endsAt: string, reason: string) {
    await requireBoardPermission(this.db, actor, boardId, 'hypercare:decide');
    const end = new Date(endsAt);
    if (Number.isNaN(end.getTime())) throw invalid('endsAt', 'must be a date-time');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: extend(factsOf(row), end, reason, who(actor), new Date()),
    }));
  }

  async exitEarly(actor: Actor, boardId: string, releaseId: string, reason: string) {
    await requireBoardPermission(this.db, actor, boardId, 'hypercare:decide');
    return this.transition(actor, boardId, releaseId, async (_trx, row) => ({
      outcome: exitEarly(factsOf(row), reason, who(actor), new Date()),
    }));
  }

  /**
   * The window's end, when the timer fires (or the start-up sweep finds it overdue). Under the row's
   * lock, and only if still due: a duplicate or re-delivered job changes nothing. Returns the change
   * made, or null.
   */
  async windowEnd(
    releaseId: string,
    now: () => Date = () => new Date(),
  ): Promise<'exited' | 'extended' | null> {
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await repo.lock(trx, releaseId);
      if (!row) return null;
      const at = now();
      const ended = windowEnd(
        factsOf(row),
        { now: at, openSevereIncidents: await repo.openSevereIncidents(trx, releaseId) },
        row.extension_days,
        DAY_MS,
      );
      if (!ended) return null;
      await this.write(trx, record, TIMER_ACTOR, row, ended.next, ended.decision);
      return ended.next.state === 'exited' ? 'exited' : 'extended';
    });
  }

  /**
   * An incident or defect linked to a live release by hand: it joins the release's scope and is
   * routed by the hyper-care state under the row's lock (the owning stream, flagged and expedited
   * during hyper-care; maintenance after it), in one `card.updated` and one `hypercare.incident`.
   */
  async linkIncident(actor: Actor, boardId: string, releaseId: string, cardId: string): Promise<Card> {
    await requireBoardPermission(this.db, actor, boardId, 'card:edit');
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const release = await repo.release(trx, boardId, releaseId);
      if (!release) throw notFound('release');
      if (release.state !== 'live')
        throw new AppError('CONFLICT', 'state: the release is not live; add the card to its scope instead', {
          field: 'state',
        });
      const target = await lockLinkTarget(trx, { id: release.id, version: release.version, boardId });
      const card = await cardRepo.lockCard(trx, boardId, cardId);
      if (!card) throw invalid('cardId', 'no such card on this board');
      if (!LINKABLE_TYPES.has(card.type))
        throw invalid('cardId', 'only incidents, problems and defects are linked to a live release');
      if (card.done_at) throw new AppError('CONFLICT', 'cardId: the card is done', { field: 'cardId' });
      const other = await repo.releaseOfCard(trx, cardId);
      if (other && other.release_id !== releaseId)
        throw new AppError('CONFLICT', 'cardId: the card already travels in another release', {
          field: 'cardId',
        });
      const route = routeFor(target, {
        priority: card.priority as Priority,
        classOfService: card.class_of_service as ClassOfService,
        labels: card.labels,
      });
      const set = {
        priority: route.priority,
        class_of_service: route.classOfService,
        labels: route.labels,
        ...(route.stream !== card.stream ? { stream: route.stream, column_id: null, sprint_id: null } : {}),
      };
      const changes = (
        [
          ['stream', card.stream, route.stream],
          ['priority', card.priority, route.priority],
          ['classOfService', card.class_of_service, route.classOfService],
          ['labels', card.labels, route.labels],
        ] as const
      )
        .filter(([, from, to]) => JSON.stringify(from) !== JSON.stringify(to))
        .map(([field, from, to]) => ({ field, from, to }));
      const updated =
        changes.length > 0
          ? await cardWrites.updateCard(trx, record, actor, boardId, card, set, changes)
          : card;
      await recordLink(trx, record, actor, target, updated, route);
      return cardRepo.toCard(updated);
    });
  }

  /** One decided change: lock the row, ask `decide`, write the next state, the decision and the event. */
  private async transition(
    actor: Actor,
    boardId: string,
    releaseId: string,
    decide: Decide,
  ): Promise<Hypercare> {
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const release = await repo.release(trx, boardId, releaseId);
      if (!release) throw notFound('release');
      const row = await repo.lock(trx, releaseId);
      if (!row)
        throw new AppError('CONFLICT', 'state: the release is not live: no hyper-care yet', {
          field: 'state',
        });
      const decided = await decide(trx, row, record);
      if (!decided) return (await toHypercare(trx, [row]))[0]!;
      const { outcome } = decided;
      if (!outcome.ok) {
        const { field, message, conflict } = outcome.refusal;
        throw conflict
          ? new AppError('CONFLICT', `${field}: ${message}`, { field })
          : invalid(field, message);
      }
      const hypercare = await this.write(trx, record, actor, row, outcome.next, outcome.decision);
      if (decided.after) await decided.after(trx, record);
      return hypercare;
    });
  }

  private async write(
    trx: Trx,
    record: RecordEvent,
    actor: Actor,
    row: HypercareRow,
    next: HypercareFacts,
    decision: Decision,
  ): Promise<Hypercare> {
    const updated = await repo.update(trx, row.release_id, {
      state: next.state,
      ends_at: next.endsAt,
      exited_at: next.exitedAt,
      handover: next.handover,
      checklist: JSON.stringify(next.checklist),
    });
    await writeDecision(trx, row.release_id, decision);
    const hypercare = (await toHypercare(trx, [updated]))[0]!;
    await record({
      boardId: row.board_id,
      type: 'hypercare.updated',
      cardId: null,
      actor,
      payload: { hypercare, change: decision.kind },
    });
    return hypercare;
  }
}

const who = (actor: Actor) => ({ userId: actor.userId, label: actor.label });
