/**
 * One open board, kept live. Loads the snapshot, then follows the server's event stream in sequence
 * order (dropping what it already applied, fetching what it missed), re-joins with the last sequence
 * it applied after a reconnect, and shows the user's own moves at once while the server decides.
 *
 * Shape (after tldraw's sync client): `#confirmed` is the server's truth in rank order; `#pending`
 * holds the user's unacknowledged moves; the view (`cards`) is the truth with the pending moves
 * replayed on top. An answer removes its move and applies the server's event, or, on a refusal, the
 * card the server sent back, so a refused card returns to where the server says it is.
 *
 * Columns follow the same shape: `#confirmedColumns` plus the user's unconfirmed reorders. Their
 * positions change only by the server's events (in sequence order); their settings only move
 * forward in version, so a late HTTP answer never undoes a later change.
 */
import { exhaustive } from '../../../../protocol/events.ts';
import type { FirstScreen, FirstScreenView } from '../../../../protocol/first-screen.ts';
import type { Hypercare, HypercareIncident } from '../../../../protocol/hypercare.ts';
import type {
  Board,
  BoardEvent,
  BoardEventOf,
  BulkMoveInput,
  Card,
  Column,
  CompleteSprintInput,
  CreateCardInput,
  CreateColumnInput,
  CreateSprintInput,
  Member,
  Role,
  Snapshot,
  Sprint,
  StartSprintInput,
  Stream,
  UpdateCardInput,
  UpdateColumnInput,
  UpdateSprintInput,
} from '../../../../protocol/model.ts';
import type {
  CreateReleaseInput,
  ReadinessInput,
  Release,
  ReleaseScopeInput,
  VerdictInput,
} from '../../../../protocol/releases.ts';
import { type Permission, roleAllows } from '../../../../protocol/rules/permissions.ts';
import type { MoveAck, PresenceFrame, PresenceUser } from '../../../../protocol/socket.ts';
import type {
  Warranty,
  WarrantyMeasurementInput,
  WarrantyRequirementInput,
} from '../../../../protocol/warranty.ts';
import { type Api, ApiError, type MoveReply } from '../api.ts';
import type { SocketLease } from '../socket.ts';
import {
  applyPlacement,
  changesPlace,
  type Placement,
  placeCard,
  removeCard,
  upsertByRank,
} from './backlog-order.ts';
import { arrangeStream } from './column-order.ts';
import { MoveBackoff, secondsToWait } from './move-backoff.ts';
import { applyPresence, noPresence, type PresenceState, presenceUsers } from './presence.ts';
import { hypercareScope, mergeReleases, releaseOfCard, upsertRelease } from './release-list.ts';
import * as releasesApi from './releases-api.ts';

/** `error`: the board cannot be shown; `offline`: it is shown, but the live connection was refused. */
export type BoardStatus = 'loading' | 'live' | 'reconnecting' | 'offline' | 'error';
export type Notify = (message: string, kind: 'info' | 'success' | 'warning' | 'error') => void;

interface PendingMove extends Placement {
  id: number;
  /** an undo: not shown before the server accepts it, and its outcome is told by the caller */
  undo?: boolean;
  done(reply: MoveAck): void;
}

/** A change the user made on this page and the server accepted (what undo-stack.svelte.ts keeps). */
export type OwnChange =
  | { kind: 'move'; event: BoardEventOf<'card.moved'> }
  | { kind: 'edit'; before: Card; after: Card; input: UpdateCardInput };

const MOVE_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 15_000;

const SPRINT_ORDER: Record<Sprint['state'], number> = { planned: 0, active: 1, completed: 2 };

/** Sprints only move forward (planned → active → completed): a late HTTP reply never undoes a later event. */
function upsertSprint(list: readonly Sprint[], sprint: Sprint): Sprint[] {
  const held = list.find((s) => s.id === sprint.id);
  if (held && SPRINT_ORDER[held.state] > SPRINT_ORDER[sprint.state]) return list as Sprint[];
  return upsertBy(list, sprint, (s) => s.id === sprint.id);
}

function upsertBy<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const at = list.findIndex(same);
  if (at < 0) return [...list, item];
  const next = list.slice();
  next[at] = item;
  return next;
}

/** The events that change cards: what the rest of a board, when older, is brought forward by. */
const REPLAYED = new Set<BoardEvent['type']>([
  'card.created',
  'card.updated',
  'card.moved',
  'cards.moved',
  'card.deleted',
  'sprint.started',
  'sprint.completed',
]);

export class BoardState {
  board = $state.raw<Board | null>(null);
  members = $state.raw<Member[]>([]);
  /** Both streams' columns by position, the user's unconfirmed reorders included. */
  columns = $state.raw<Column[]>([]);
  sprints = $state.raw<Sprint[]>([]);
  /** The board's releases (any order; see release-list.ts for the schedule's). */
  releases = $state.raw<Release[]>([]);
  /** Every card in backlog order, the user's unconfirmed moves included. */
  cards = $state.raw<Card[]>([]);
  presence = $state.raw<PresenceUser[]>([]);
  status = $state<BoardStatus>('loading');
  error = $state<string | null>(null);
  /**
   * While only the first screen's cards are held (the rest of the board on its way): how many cards
   * the board held at the first answer; null once every card is held.
   */
  loadingTotal = $state<number | null>(null);
  /** How many cards the board holds, those still on their way included. */
  cardTotal = $derived(
    this.loadingTotal === null ? this.cards.length : Math.max(this.loadingTotal, this.cards.length),
  );

  byId = $derived(new Map(this.cards.map((c) => [c.id, c])));
  memberNames = $derived(new Map(this.members.map((m) => [m.userId, m.name])));
  columnsById = $derived(new Map(this.columns.map((c) => [c.id, c])));
  /** sprintId → name, for the sprints still open (planned or active) */
  openSprintNames = $derived(
    new Map(this.sprints.filter((s) => s.state !== 'completed').map((s) => [s.id, s.name])),
  );
  /** releaseId → its hyper-care (fetched when a release page opens, then kept live by events) */
  hypercare = $state.raw<Record<string, Hypercare>>({});
  /** releaseId → the tickets linked to it since this board was opened, newest first, one per card */
  hypercareIncidents = $state.raw<Record<string, HypercareIncident[]>>({});
  /** cardId → the release it travels in */
  releaseByCard = $derived(releaseOfCard(this.releases));
  /** releaseId → its warranty requirements (fetched when a release page opens, then kept live by events) */
  warranty = $state.raw<Record<string, Warranty>>({});
  /** The cards in the scope of a release whose hyper-care is running: every card view badges them. */
  hypercareCards = $derived(hypercareScope(this.releases, this.hypercare));
  /** Whether a card shows the hyper-care badge: in a release in hyper-care, or an incident flagged so. */
  inHypercare = (card: Card): boolean =>
    this.hypercareCards.has(card.id) || card.labels.includes('hyper-care');
  /** cardId → name of the other person dragging it right now */
  draggedByOthers = $derived(
    new Map(
      this.presence
        .filter((u) => u.userId !== this.me && u.draggingCardId)
        .map((u) => [u.draggingCardId as string, u.name]),
    ),
  );
  /** Whether the user's role allows it, by the server's table (the server still rules on each request). */
  can = (permission: Permission): boolean => this.board !== null && roleAllows(this.board.role, permission);
  canEdit = $derived(this.can('card:edit'));
  canDelete = $derived(this.can('card:delete'));
  canManageMembers = $derived(this.can('member:manage'));
  canManageSprints = $derived(this.can('sprint:manage'));
  canConfigureColumns = $derived(this.can('board:manage'));
  canChangeStream = $derived(this.can('card:change_stream'));

  #confirmed: Card[] = [];
  #pending: PendingMove[] = [];
  #reloading = false;
  #confirmedColumns: Column[] = [];
  /** the latest reorder of each stream the server has not answered yet */
  #pendingOrders = new Map<Stream, { columnIds: string[] }>();
  /** reorders are sent one after the other, so the server applies them in the order they were made */
  #ordersSent: Promise<unknown> = Promise.resolve();
  #deletedColumns = new Set<string>();
  #lastSeq = 0;
  #ahead = new Map<number, BoardEvent>();
  #deleted = new Set<string>();
  #catchingUp = false;
  #loaded = false;
  #closed = false;
  #nextMove = 1;
  /** after an OVERLOADED refusal, no moves are sent until the server's retry hint has passed */
  #moveBackoff = new MoveBackoff();
  #socket: SocketLease | null = null;
  #presence: PresenceState = noPresence;
  #joinRetry: ReturnType<typeof setTimeout> | null = null;
  #listeners = new Set<(event: BoardEvent) => void>();
  #ownChangeListeners = new Set<(change: OwnChange) => void>();
  /** Only the first screen's cards are held: a move of a card not held is not a reason to reload. */
  #partial = false;
  /** the card events applied since the first answer, replayed onto the rest if it is older */
  #sinceFirst: BoardEvent[] = [];
  #replaying = false;

  constructor(
    readonly boardId: string,
    readonly me: string,
    private readonly api: Api,
    private readonly connect: () => SocketLease,
    private readonly notify: Notify,
  ) {}

  /** The last board sequence applied (events or snapshot). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** `view`: the view being opened, whose first screen comes first (then the rest of the board). */
  async open(view: FirstScreenView = 'backlog'): Promise<void> {
    const socket = this.connect();
    this.#socket = socket;
    socket.on('connect', () => this.#join());
    socket.on('disconnect', (reason) => {
      if (this.#closed) return;
      this.status = 'reconnecting';
      this.#presence = noPresence;
      this.presence = [];
      // The server cut this socket (signed out elsewhere, token revoked, session expired): socket.io
      // will not reconnect on its own, so ask over HTTP whether we may still read the board.
      if (reason === 'io server disconnect') void this.#afterServerCut(socket);
    });
    socket.on('connect_error', (err) => {
      // A refused handshake (signed out, no access) is final; socket.io retries only network errors.
      if (!socket.active && !this.#closed) {
        this.status = 'offline';
        this.error = err.message;
      }
    });
    socket.on('board:events', (events) => this.#receive(events));
    socket.on('presence', (frame: PresenceFrame) => {
      const next = applyPresence(this.#presence, frame, this.boardId);
      if (next === this.#presence) return;
      this.#presence = next;
      this.presence = presenceUsers(next);
    });
    let first: FirstScreen;
    try {
      first = await this.api.firstScreen(this.boardId, view);
    } catch (err) {
      this.status = 'error';
      this.error = err instanceof ApiError ? err.message : String(err);
      return;
    }
    this.#applySnapshot(first);
    if (!first.complete) {
      this.#partial = true;
      this.loadingTotal = first.totals.cards;
    }
    this.#loaded = true;
    this.status = socket.connected ? 'live' : 'reconnecting';
    if (socket.connected) this.#join();
    // After the first screen is drawn: the rest is big and its parsing would hold the page up.
    if (this.#partial) setTimeout(() => void this.#loadRest(), 0);
  }

  close(): void {
    this.#closed = true;
    if (this.#joinRetry) clearTimeout(this.#joinRetry);
    const socket = this.#socket;
    if (!socket) return;
    // The tab's socket stays (the bell holds it too): leave the board's room on the server.
    if (socket.connected) socket.emit('board:leave', { boardId: this.boardId });
    socket.release();
    this.#socket = null;
  }

  /** Called for every event applied, in sequence order (the card panel follows comments this way). */
  onEvent(listener: (event: BoardEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called for each move or edit this page made that the server accepted (not for undos). */
  onOwnChange(listener: (change: OwnChange) => void): () => void {
    this.#ownChangeListeners.add(listener);
    return () => this.#ownChangeListeners.delete(listener);
  }

  // ---- the user's own changes ------------------------------------------------------------------

  /**
   * Move a card next to the neighbours it was dropped between and/or into a column, sprint or
   * stream; shown at once, then confirmed (or returned to where the server says, with its message).
   * An `undo` (made on `expectedVersion`) is shown once the server accepts it, and the caller tells
   * its outcome. Resolves with the server's answer.
   */
  moveCard(placement: Placement, { undo = false }: { undo?: boolean } = {}): Promise<MoveAck> {
    if (!placement.afterId && !placement.beforeId && !changesPlace(placement))
      return Promise.resolve({ ok: false, error: 'NO_CHANGE', message: 'nothing to move' });
    const wait = this.#moveBackoff.waitMs(Date.now());
    if (wait > 0) {
      // Backing off: the card stays where the server has it (the drag's own reordering is undone).
      this.#publish();
      const message = `The server is busy; try moving again in ${secondsToWait(wait)}.`;
      if (!undo) this.notify(message, 'warning');
      return Promise.resolve({ ok: false, error: 'OVERLOADED', message, retryAfterMs: wait });
    }
    let done: (reply: MoveAck) => void = () => {};
    const answered = new Promise<MoveAck>((resolve) => {
      done = resolve;
    });
    const move: PendingMove = { ...placement, id: this.#nextMove++, undo, done };
    this.#pending.push(move);
    this.#publish();
    const frame = {
      boardId: this.boardId,
      cardId: placement.cardId,
      afterId: placement.afterId ?? null,
      beforeId: placement.beforeId ?? null,
      ...(placement.columnId !== undefined ? { columnId: placement.columnId } : {}),
      ...(placement.sprintId !== undefined ? { sprintId: placement.sprintId } : {}),
      ...(placement.stream !== undefined ? { stream: placement.stream } : {}),
      ...(placement.expectedVersion !== undefined ? { expectedVersion: placement.expectedVersion } : {}),
    };
    const socket = this.#socket;
    if (socket?.connected) {
      socket.timeout(MOVE_TIMEOUT_MS).emit('card:move', frame, (err: Error | null, reply: MoveAck) => {
        if (err) {
          this.#settle(move, {
            ok: false,
            error: 'TIMEOUT',
            message: 'The server did not confirm the move in time; showing the board as the server has it.',
          });
          this.#rejoin();
          return;
        }
        this.#settle(move, reply);
      });
      return answered;
    }
    const { boardId: _b, cardId, ...body } = frame;
    this.api.moveCard(this.boardId, cardId, body).then(
      (reply) => this.#settle(move, { ok: true, event: reply.event }),
      (err: unknown) =>
        this.#settle(move, {
          ok: false,
          error: err instanceof ApiError ? err.code : 'NETWORK',
          message: err instanceof Error ? err.message : 'the move failed',
          card: err instanceof ApiError ? err.card : undefined,
          retryAfterMs: err instanceof ApiError ? (err.body.retryAfterMs as number | undefined) : undefined,
        }),
    );
    return answered;
  }

  /** Several cards at once: to the top or bottom of the backlog, into or out of a sprint, or to a stream. */
  async bulkMove(input: BulkMoveInput): Promise<Card[]> {
    const cards = await this.api.bulkMove(this.boardId, input);
    for (const card of cards) this.#upsert(card);
    this.#publish();
    return cards;
  }

  /** Kanban pull into a column; rejects with the server's error (nothing to pull, WIP limit). */
  async pull(columnId: string): Promise<MoveReply> {
    const reply = await this.api.pull(this.boardId, columnId);
    this.#upsert(reply.card);
    this.#publish();
    return reply;
  }

  async createSprint(input: CreateSprintInput): Promise<Sprint> {
    const sprint = await this.api.createSprint(this.boardId, input);
    this.sprints = upsertSprint(this.sprints, sprint);
    return sprint;
  }

  /** Rename a sprint or change its goal or capacity. */
  async updateSprint(sprintId: string, input: UpdateSprintInput): Promise<Sprint> {
    const sprint = await this.api.updateSprint(this.boardId, sprintId, input);
    this.sprints = upsertSprint(this.sprints, sprint);
    return sprint;
  }

  async startSprint(sprintId: string, input: StartSprintInput): Promise<Sprint> {
    return this.#sprintChanged(await this.api.startSprint(this.boardId, sprintId, input));
  }

  async completeSprint(sprintId: string, input: CompleteSprintInput): Promise<Sprint> {
    return this.#sprintChanged(await this.api.completeSprint(this.boardId, sprintId, input));
  }

  /** A new column at the end of its stream (the server places it). */
  async createColumn(input: CreateColumnInput): Promise<Column> {
    const column = await this.api.createColumn(this.boardId, input);
    this.#mergeColumn(column, false);
    this.#publishColumns();
    return column;
  }

  /** Removes an empty column; rejects with the server's CONFLICT while it still holds cards. */
  async deleteColumn(columnId: string): Promise<void> {
    await this.api.deleteColumn(this.boardId, columnId);
    this.#removeColumn(columnId);
    this.#publishColumns();
  }

  /** Saves an edit made on `input.version`. A STALE_VERSION refusal still updates the column shown. */
  async updateColumn(columnId: string, input: UpdateColumnInput): Promise<Column> {
    try {
      const column = await this.api.updateColumn(this.boardId, columnId, input);
      this.#mergeColumn(column, false);
      this.#publishColumns();
      return column;
    } catch (err) {
      if (err instanceof ApiError && err.column) {
        this.#mergeColumn(err.column, false);
        this.#publishColumns();
      }
      throw err;
    }
  }

  /**
   * Puts a stream's columns in this order (every column of the stream): shown at once, then
   * confirmed by the server's event, or put back with the server's message. False if refused.
   */
  reorderColumns(stream: Stream, columnIds: string[]): Promise<boolean> {
    const pending = { columnIds };
    this.#pendingOrders.set(stream, pending);
    this.#publishColumns();
    const sent = this.#ordersSent.then(() => this.#sendOrder(stream, pending));
    this.#ordersSent = sent;
    return sent;
  }

  async #sendOrder(stream: Stream, pending: { columnIds: string[] }): Promise<boolean> {
    const { columnIds } = pending;
    try {
      const reply = await this.api.reorderColumns(this.boardId, { stream, columnIds });
      this.#receive([reply.event]);
      return true;
    } catch (err) {
      this.notify(
        `The columns were not reordered: ${err instanceof Error ? err.message : String(err)}`,
        'error',
      );
      return false;
    } finally {
      if (this.#pendingOrders.get(stream) === pending) this.#pendingOrders.delete(stream);
      this.#publishColumns();
    }
  }

  async createCard(input: CreateCardInput): Promise<Card> {
    const card = await this.api.createCard(this.boardId, input);
    this.#upsert(card);
    this.#publish();
    return card;
  }

  /**
   * Saves an edit made on `input.version`. A STALE_VERSION refusal still updates the card shown. An
   * `undo` is not itself offered for undoing.
   */
  async updateCard(cardId: string, input: UpdateCardInput, { undo = false } = {}): Promise<Card> {
    const before = this.byId.get(cardId);
    try {
      const card = await this.api.updateCard(this.boardId, cardId, input);
      this.#upsert(card);
      this.#publish();
      // Only an edit of the card as held is known well enough to be undone (its old values are these).
      if (!undo && before?.version === input.version && card.version > input.version)
        for (const listener of this.#ownChangeListeners)
          listener({ kind: 'edit', before, after: card, input });
      return card;
    } catch (err) {
      if (err instanceof ApiError && err.card) {
        this.#upsert(err.card);
        this.#publish();
      }
      throw err;
    }
  }

  async deleteCard(cardId: string): Promise<void> {
    await this.api.deleteCard(this.boardId, cardId);
    this.#deleted.add(cardId);
    removeCard(this.#confirmed, cardId);
    this.#publish();
  }

  // ---- releases (each answer is the release as it now is; its event brings the same revision) ----

  async createRelease(input: CreateReleaseInput): Promise<Release> {
    return this.#releaseChanged(await releasesApi.createRelease(this.api, this.boardId, input));
  }

  async changeScope(releaseId: string, input: ReleaseScopeInput): Promise<Release> {
    return this.#releaseChanged(await releasesApi.changeScope(this.api, this.boardId, releaseId, input));
  }

  async setReadiness(releaseId: string, input: ReadinessInput): Promise<Release> {
    return this.#releaseChanged(await releasesApi.setReadiness(this.api, this.boardId, releaseId, input));
  }

  async recordManualTest(releaseId: string, input: { name: string; passed: boolean }): Promise<Release> {
    return this.#releaseChanged(await releasesApi.recordManualTest(this.api, this.boardId, releaseId, input));
  }

  async approveFirebreak(releaseId: string): Promise<Release> {
    return this.#releaseChanged(await releasesApi.approveFirebreak(this.api, this.boardId, releaseId));
  }

  async giveVerdict(releaseId: string, input: VerdictInput): Promise<Release> {
    return this.#releaseChanged(await releasesApi.giveVerdict(this.api, this.boardId, releaseId, input));
  }

  // ---- hyper-care (each answer is the hyper-care as it now is; its event brings the same revision) ----

  /** Reads a live release's hyper-care; a release without one (not live yet, or refused) has none. */
  async loadHypercare(releaseId: string): Promise<void> {
    try {
      this.#hypercareChanged(await releasesApi.getHypercare(this.api, this.boardId, releaseId));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  async tickHypercare(releaseId: string, key: string, done: boolean): Promise<Hypercare> {
    return this.#hypercareChanged(
      await releasesApi.tickHypercare(this.api, this.boardId, releaseId, key, done),
    );
  }
  async submitHandover(releaseId: string): Promise<Hypercare> {
    return this.#hypercareChanged(await releasesApi.submitHandover(this.api, this.boardId, releaseId));
  }
  async acceptHandover(releaseId: string): Promise<Hypercare> {
    return this.#hypercareChanged(await releasesApi.acceptHandover(this.api, this.boardId, releaseId));
  }
  async rejectHandover(releaseId: string, reason: string): Promise<Hypercare> {
    return this.#hypercareChanged(
      await releasesApi.rejectHandover(this.api, this.boardId, releaseId, reason),
    );
  }
  async extendHypercare(releaseId: string, endsAt: string, reason: string): Promise<Hypercare> {
    return this.#hypercareChanged(
      await releasesApi.extendHypercare(this.api, this.boardId, releaseId, endsAt, reason),
    );
  }
  async exitHypercare(releaseId: string, reason: string): Promise<Hypercare> {
    return this.#hypercareChanged(await releasesApi.exitHypercare(this.api, this.boardId, releaseId, reason));
  }

  // ---- warranty requirements (each answer is the warranty as it now is; its event brings the same revision) ----

  async loadWarranty(releaseId: string): Promise<void> {
    try {
      this.#warrantyChanged(await releasesApi.getWarranty(this.api, this.boardId, releaseId));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  async addWarrantyRequirement(releaseId: string, input: WarrantyRequirementInput): Promise<Warranty> {
    return this.#warrantyChanged(
      await releasesApi.addWarrantyRequirement(this.api, this.boardId, releaseId, input),
    );
  }
  async removeWarrantyRequirement(releaseId: string, requirementId: string): Promise<Warranty> {
    return this.#warrantyChanged(
      await releasesApi.removeWarrantyRequirement(this.api, this.boardId, releaseId, requirementId),
    );
  }
  async measureWarranty(
    releaseId: string,
    requirementId: string,
    input: WarrantyMeasurementInput,
  ): Promise<Warranty> {
    return this.#warrantyChanged(
      await releasesApi.measureWarranty(this.api, this.boardId, releaseId, requirementId, input),
    );
  }

  #warrantyChanged(warranty: Warranty): Warranty {
    const held = this.warranty[warranty.releaseId];
    if (!held || held.revision <= warranty.revision) {
      this.warranty = { ...this.warranty, [warranty.releaseId]: warranty };
    }
    return warranty;
  }

  /** Only a newer revision replaces what is held: a late HTTP answer never undoes a later event. */
  #hypercareChanged(hypercare: Hypercare): Hypercare {
    const held = this.hypercare[hypercare.releaseId];
    if (!held || held.revision <= hypercare.revision) {
      this.hypercare = { ...this.hypercare, [hypercare.releaseId]: hypercare };
    }
    return hypercare;
  }

  #incidentLinked(incident: HypercareIncident): void {
    const list = (this.hypercareIncidents[incident.releaseId] ?? []).filter(
      (i) => i.cardId !== incident.cardId,
    );
    this.hypercareIncidents = { ...this.hypercareIncidents, [incident.releaseId]: [incident, ...list] };
  }

  #releaseChanged(release: Release): Release {
    this.releases = upsertRelease(this.releases, release);
    return release;
  }

  /**
   * The releases are not in the snapshot: read them beside it. Merged by revision, so events applied
   * meanwhile are never undone. Off (the `releases` flag) or refused, the board simply has none.
   */
  async #loadReleases(): Promise<void> {
    try {
      const list = await releasesApi.listReleases(this.api, this.boardId);
      if (!this.#closed) this.releases = mergeReleases(this.releases, list);
      // the running hyper-care, for the badges on the cards of releases in it
      const running = await releasesApi.runningHypercare(this.api, this.boardId);
      if (!this.#closed) for (const care of running) this.#hypercareChanged(care);
    } catch {
      // the releases feature is off for this board, or the server is away: the board works without
    }
  }

  /** Add someone (by the e-mail of their account) or change their role; the board's event updates everyone. */
  async setMember(email: string, role: Role): Promise<Member> {
    const member = await this.api.setMember(this.boardId, email.trim(), role);
    this.members = upsertBy(this.members, member, (m) => m.userId === member.userId);
    return member;
  }

  /** Tell the others which card this user is dragging (null when the drag ends). */
  dragging(cardId: string | null): void {
    if (this.#socket?.connected) this.#socket.emit('presence:drag', { boardId: this.boardId, cardId });
  }

  // ---- the server's stream ---------------------------------------------------------------------

  /**
   * A 401 here ends the session on this page (Api.onSessionLost shows the sign-in form with why);
   * another refusal is shown on the board; an answer means we may still read it, so reconnect.
   */
  async #afterServerCut(socket: SocketLease): Promise<void> {
    try {
      await this.api.eventsAfter(this.boardId, this.#lastSeq);
    } catch (err) {
      if (this.#closed) return;
      this.status = err instanceof ApiError && err.status === 0 ? 'reconnecting' : 'error';
      this.error = err instanceof ApiError ? err.message : String(err);
      if (this.status === 'error') return;
    }
    if (!this.#closed && !socket.connected) socket.connect();
  }

  #join(): void {
    const socket = this.#socket;
    if (!socket || !this.#loaded || this.#closed) return;
    socket
      .timeout(JOIN_TIMEOUT_MS)
      .emit('board:join', { boardId: this.boardId, sinceSeq: this.#lastSeq }, (err, reply) => {
        if (this.#closed) return;
        if (err) {
          this.status = 'reconnecting';
          this.#rejoin();
          return;
        }
        if (!reply.ok && reply.error === 'OVERLOADED') {
          // Everyone is joining at once (a deploy, a network blip): come back when the server says.
          if (this.#joinRetry) clearTimeout(this.#joinRetry);
          this.#joinRetry = setTimeout(() => {
            this.#joinRetry = null;
            this.#rejoin();
          }, reply.retryAfterMs ?? 1000);
          return;
        }
        if (!reply.ok) {
          this.status = 'error';
          this.error = reply.message;
          return;
        }
        if (reply.mode === 'snapshot') this.#applySnapshot(reply.snapshot);
        else this.#receive(reply.events);
        this.status = 'live';
      });
  }

  /** Join again from the last applied sequence (after a lost answer); a no-op while offline. */
  #rejoin(): void {
    if (this.#socket?.connected) this.#join();
  }

  #sprintChanged({ sprint, cards }: { sprint: Sprint; cards: Card[] }): Sprint {
    this.sprints = upsertSprint(this.sprints, sprint);
    for (const card of cards) this.#upsert(card);
    this.#publish();
    return sprint;
  }

  /**
   * Takes in a column the server sent. Its settings replace those held only if at least as new; its
   * position only if it comes from an event (`fromEvent`, in sequence order) or the column is new,
   * when the columns from its position on move one place right, as the server did.
   */
  #mergeColumn(column: Column, fromEvent: boolean): void {
    if (this.#deletedColumns.has(column.id)) return;
    const held = this.#confirmedColumns.find((c) => c.id === column.id);
    if (!held) {
      this.#confirmedColumns = [
        ...this.#confirmedColumns.map((c) =>
          c.position >= column.position ? { ...c, position: c.position + 1 } : c,
        ),
        column,
      ];
      return;
    }
    const settings = column.version >= held.version ? column : held;
    const position = fromEvent ? column.position : held.position;
    this.#confirmedColumns = upsertBy(
      this.#confirmedColumns,
      { ...settings, position },
      (c) => c.id === column.id,
    );
  }

  #removeColumn(columnId: string): void {
    this.#deletedColumns.add(columnId);
    this.#confirmedColumns = this.#confirmedColumns.filter((c) => c.id !== columnId);
  }

  /** The view: the confirmed columns with the pending reorders shown on top. */
  #publishColumns(): void {
    let view = this.#confirmedColumns;
    for (const [stream, { columnIds }] of this.#pendingOrders) view = arrangeStream(view, stream, columnIds);
    this.columns = [...view].sort((a, b) => a.position - b.position);
  }

  #settle(move: PendingMove, reply: MoveAck): void {
    this.#pending = this.#pending.filter((m) => m !== move);
    move.done(reply);
    if (reply.ok) {
      this.#moveBackoff.accepted();
      this.#receive([reply.event]);
      if (!move.undo && reply.event.type === 'card.moved')
        for (const listener of this.#ownChangeListeners) listener({ kind: 'move', event: reply.event });
      // A column with the `warn` policy accepts the card over its limit; the mover is told.
      const warning = reply.event.type === 'card.moved' ? reply.event.payload.warning : undefined;
      if (typeof warning === 'string')
        this.notify(`${this.byId.get(move.cardId)?.key ?? 'The card'}: ${warning}`, 'warning');
    } else {
      const card = reply.card as Card | undefined;
      if (card) this.#upsert(card);
      const key = this.byId.get(move.cardId)?.key ?? 'The card';
      if (reply.error === 'OVERLOADED') {
        const wait = this.#moveBackoff.refused(Date.now(), reply.retryAfterMs);
        if (!move.undo)
          this.notify(
            `${key} was not moved: the server is busy. Try again in ${secondsToWait(wait)}.`,
            'warning',
          );
        this.#publish();
        return;
      }
      // An undo's refusal is told by whoever asked for it (undo.svelte.ts), in its own words.
      if (move.undo) {
        this.#publish();
        return;
      }
      this.notify(
        reply.error === 'WIP_LIMIT_REACHED'
          ? `${key} was not moved: ${reply.message}`
          : `${key} could not be moved: ${reply.message}`,
        'error',
      );
    }
    this.#publish();
  }

  #receive(events: readonly BoardEvent[]): void {
    for (const event of events) {
      if (event.boardId === this.boardId && event.seq > this.#lastSeq) this.#ahead.set(event.seq, event);
    }
    if (this.#drain()) this.#publish();
    if (this.#ahead.size > 0) void this.#catchUp();
  }

  /** Apply the held events that follow on from the last applied sequence; true if any did. */
  #drain(): boolean {
    let applied = false;
    for (let next = this.#ahead.get(this.#lastSeq + 1); next; next = this.#ahead.get(this.#lastSeq + 1)) {
      this.#ahead.delete(next.seq);
      this.#apply(next);
      applied = true;
    }
    for (const seq of this.#ahead.keys()) if (seq <= this.#lastSeq) this.#ahead.delete(seq);
    return applied;
  }

  /** A gap in the sequence: fetch what is missing over HTTP; if that fails, start from a snapshot. */
  async #catchUp(): Promise<void> {
    if (this.#catchingUp) return;
    this.#catchingUp = true;
    try {
      for (let round = 0; round < 100 && this.#ahead.size > 0; round++) {
        const events = await this.api.eventsAfter(this.boardId, this.#lastSeq);
        if (events.length === 0) break;
        this.#receive(events);
      }
      if (this.#ahead.size > 0) this.#applySnapshot(await this.api.snapshot(this.boardId));
    } catch {
      this.#rejoin();
    } finally {
      this.#catchingUp = false;
    }
  }

  #apply(event: BoardEvent): void {
    switch (event.type) {
      case 'card.created':
      case 'card.updated':
        this.#upsert(event.payload.card);
        break;
      case 'card.moved': {
        // A move carries the card's new place only; it lands on the card this client holds.
        const placement = event.payload.card;
        if (this.#deleted.has(placement.id)) break;
        // A card not held while the rest is on its way: the rest brings it (#mergeRest).
        if (applyPlacement(this.#confirmed, placement) === 'unknown' && !this.#partial) void this.#reload();
        break;
      }
      case 'cards.moved':
        for (const card of event.payload.cards) this.#upsert(card);
        break;
      case 'card.deleted':
        this.#deleted.add(event.payload.cardId);
        removeCard(this.#confirmed, event.payload.cardId);
        break;
      case 'card.commented':
      case 'card.linked':
      case 'card.unlinked':
        break;
      case 'release.created':
      case 'release.updated':
        this.releases = upsertRelease(this.releases, event.payload.release);
        break;
      case 'hypercare.updated':
        this.#hypercareChanged(event.payload.hypercare);
        break;
      case 'hypercare.incident':
        this.#incidentLinked(event.payload.incident);
        break;
      case 'release.settings_changed':
      // SLA clocks are kept by SlaClocks (web/src/lib/sla), which follows these events itself
      case 'sla.clock':
      case 'sla.warning':
      case 'sla.breached':
      case 'sla.document':
      case 'oncall.paged':
      case 'oncall.acknowledged':
      case 'oncall.rota_changed':
      case 'oncall.policy_changed':
      // the improvement register keeps its own state (improvement/improvement.svelte.ts follows onEvent)
      case 'improvement.settings_changed':
      case 'improvement.review_changed':
      case 'improvement.review_deleted':
      case 'improvement.item_changed':
      case 'improvement.item_deleted':
        break;
      case 'warranty.updated':
        this.#warrantyChanged(event.payload.warranty);
        break;
      case 'sla.review_changed':
        break;
      case 'sprint.created':
      case 'sprint.updated':
        this.sprints = upsertSprint(this.sprints, event.payload.sprint);
        break;
      case 'sprint.started':
      case 'sprint.completed':
        this.sprints = upsertSprint(this.sprints, event.payload.sprint);
        for (const card of event.payload.cards) this.#upsert(card);
        break;
      case 'member.set': {
        const { member } = event.payload;
        this.members = upsertBy(this.members, member, (m) => m.userId === member.userId);
        break;
      }
      case 'member.removed':
        this.members = this.members.filter((m) => m.userId !== event.payload.userId);
        break;
      case 'column.created':
      case 'column.updated':
        this.#mergeColumn(event.payload.column, true);
        this.#publishColumns();
        break;
      case 'columns.reordered':
        for (const column of event.payload.columns) this.#mergeColumn(column, true);
        this.#publishColumns();
        break;
      case 'column.deleted':
        this.#removeColumn(event.payload.columnId);
        this.#publishColumns();
        break;
      default:
        exhaustive(event);
    }
    this.#lastSeq = event.seq;
    if (this.#replaying) return;
    if (this.#partial && REPLAYED.has(event.type)) this.#sinceFirst.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  /** Start again from a snapshot: the events refer to a card this client never saw. */
  async #reload(): Promise<void> {
    if (this.#reloading) return;
    this.#reloading = true;
    try {
      this.#applySnapshot(await this.api.snapshot(this.boardId));
    } catch {
      this.#rejoin();
    } finally {
      this.#reloading = false;
    }
  }

  /**
   * The rest of the board after the first answer, merged without losing an event: if the rest is
   * newer than what is applied, the events up to it are fetched and applied first (so each is
   * applied, and heard, once); then its cards replace those held and the card events applied after
   * its sequence number are replayed onto them. The cards on screen stay where they are unless an
   * event moved them.
   */
  async #loadRest(attempt = 0): Promise<void> {
    if (this.#closed || !this.#partial) return;
    try {
      const rest = await this.api.snapshot(this.boardId);
      for (let round = 0; round < 100 && this.#partial && this.#lastSeq < rest.seq; round++) {
        const events = await this.api.eventsAfter(this.boardId, this.#lastSeq);
        if (events.length === 0) break;
        this.#receive(events);
      }
      if (this.#closed || !this.#partial) return; // a full snapshot came meanwhile (a join, a catch-up)
      if (this.#lastSeq < rest.seq) this.#applySnapshot(rest);
      else this.#mergeRest(rest);
    } catch {
      if (attempt < 5 && !this.#closed)
        setTimeout(() => void this.#loadRest(attempt + 1), 1000 * 2 ** attempt);
      else if (!this.#closed)
        this.notify('Only the first cards of this board could be loaded; reload the page.', 'error');
    }
  }

  #mergeRest(rest: Snapshot): void {
    const applied = this.#lastSeq;
    this.#confirmed = rest.cards.filter((c) => !this.#deleted.has(c.id));
    this.#replaying = true;
    try {
      for (const event of this.#sinceFirst) if (event.seq > rest.seq) this.#apply(event);
    } finally {
      this.#replaying = false;
    }
    this.#lastSeq = applied;
    this.#whole();
    this.#publish();
  }

  /** Every card is held from now on. */
  #whole(): void {
    this.#partial = false;
    this.#sinceFirst = [];
    this.loadingTotal = null;
  }

  #applySnapshot(s: Snapshot): void {
    this.#whole();
    this.board = s.board;
    this.members = s.members;
    this.#confirmedColumns = s.columns.filter((c) => !this.#deletedColumns.has(c.id));
    this.#publishColumns();
    this.sprints = s.sprints;
    this.#confirmed = s.cards.slice();
    this.#lastSeq = s.seq;
    this.#drain();
    this.#publish();
    void this.#loadReleases();
  }

  #upsert(card: Card): void {
    if (this.#deleted.has(card.id)) return;
    upsertByRank(this.#confirmed, card);
  }

  #publish(): void {
    const view = this.#confirmed.slice();
    for (const move of this.#pending) if (!move.undo) placeCard(view, move);
    this.cards = view;
  }
}
