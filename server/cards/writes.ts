/**
 * The one card-write path, for people (CardService, over HTTP and the socket) and plugins (the plugin
 * host's ticket writer) alike: create, update, move, comment and link a card inside the CALLER's
 * transaction. Each write appends its board event through the caller's recorder: commitWithEvents'
 * `record` (logged with the change, published after the commit) or a plugin batch's EventSink
 * (collected and logged at the end of the batch). A move is decided by the same facts and the same
 * pure rules for everyone (move-facts.ts, domain/card-move.ts); what the rules refuse comes back as
 * a value naming the error a person gets, so a plugin can write it down instead of failing its batch.
 */
import type { Transaction } from 'kysely';
import type { Card, CardPlacement, CreateCardInput, MoveCardInput, Role } from '../../protocol/model.ts';
import { type Actor, requireRole } from '../access/board-access.ts';
import type { MovePlan } from '../domain/card-move.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardRow, CardUpdate, Database, NewCard } from '../infra/schema.ts';
import type { Change, NewEvent } from '../sync/event-log.ts';
import { decideMove, decideWipUnderLock } from './move-facts.ts';
import * as repo from './repo.ts';

type Trx = Transaction<Database>;

/** A data-modifying query with RETURNING that the recorder runs with the event it guards. */
export type GuardedChange = Change & { execute(): Promise<unknown[]> };

/**
 * Where a write's event goes. `E` is what the recorder hands back: the recorded BoardEvent
 * (commitWithEvents) or the pending NewEvent (a plugin's EventSink). With `guardedBy`, the change runs
 * with the event and null means it touched no row: nothing was recorded.
 */
export interface EventRecorder<E> {
  (event: NewEvent): Promise<E>;
  (event: NewEvent, guardedBy: GuardedChange): Promise<E | null>;
}

/** A refused write: the error a person gets, and the rules' own words (what a plugin writes down). */
export interface Refused {
  ok: false;
  error: AppError;
  reason: string;
}

const refused = (error: AppError, reason: string): Refused => ({ ok: false, error, reason });

/** A move decided and checked, ready to write. */
export interface PreparedMove {
  before: Card;
  plan: MovePlan;
  now: Date;
}

export interface Moved<E> {
  ok: true;
  /** the card after the move */
  card: Card;
  event: E;
  warning?: string;
}

/** One title rule for create and edit: trimmed, and not blank (a whitespace-only title is refused). */
export function cardTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw invalid('title', 'must not be blank');
  return trimmed;
}

// ---- create ------------------------------------------------------------------------------------

export type CardFields = Omit<NewCard, 'board_id' | 'number' | 'key' | 'rank' | 'column_id' | 'sprint_id'>;

/** The card fields of a person's create request, with the defaults a new card gets. */
export function fieldsOf(input: CreateCardInput, actor: Actor, source?: Record<string, unknown>): CardFields {
  return {
    title: cardTitle(input.title),
    description: input.description ?? '',
    type: input.type,
    stream: input.stream ?? 'development',
    priority: input.priority ?? 'medium',
    class_of_service: input.classOfService ?? 'standard',
    estimate: input.estimate ?? null,
    labels: input.labels ?? [],
    assignee_id: input.assigneeId ?? null,
    due_date: input.dueDate ?? null,
    source: source ? JSON.stringify(source) : null,
    created_by: actor.userId,
  };
}

/** A new card at the top or bottom of the backlog, and its `card.created` event. */
export async function createCard<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  position: 'top' | 'bottom',
  fields: CardFields,
): Promise<CardRow> {
  const row = await repo.insertCard(trx, boardId, position, fields);
  const card = repo.toCard(row);
  await record({ boardId, type: 'card.created', cardId: card.id, actor, payload: { card } });
  return row;
}

// ---- update ------------------------------------------------------------------------------------

export type Changes = { field: string; from: unknown; to: unknown }[];

/** Writes `set` on a card the caller holds (locked, at `card.version`) and records `card.updated`. */
export async function updateCard<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  card: { id: string; version: number },
  set: CardUpdate,
  changes: Changes,
): Promise<CardRow> {
  const row = await repo.updateCard(trx, card.id, card.version, set, new Date());
  await record({
    boardId,
    type: 'card.updated',
    cardId: card.id,
    actor,
    payload: { card: repo.toCard(row), changes },
  });
  return row;
}

// ---- move --------------------------------------------------------------------------------------

/**
 * The rules' decision on a move, from the facts `loadMoves` read: the actor's role (a plugin acts as
 * an admin), the pure move rules. A refusal carries the error a person gets.
 */
export function decideCardMove(
  actor: Actor,
  row: repo.MoveRow,
  input: MoveCardInput,
  now: Date,
): PreparedMove | Refused {
  try {
    const role = requireRole(actor.isAdmin ? 'admin' : (row.member_role as Role | null), 'card:move');
    if (input.stream && input.stream !== row.stream) requireRole(role, 'card:change_stream');
  } catch (err) {
    if (err instanceof AppError) return refused(err, err.message);
    throw err;
  }
  const stale = refuseStaleMove(row, input);
  if (stale) return stale;
  const { before, decision } = decideMove(row, input, now);
  if (!decision.ok)
    return refused(invalid(decision.refusal.field, decision.refusal.message), decision.refusal.message);
  return { before, plan: decision.plan, now };
}

/**
 * A conditional move (`expectedVersion`, e.g. an undo) is refused once anyone has changed the card
 * since. The write is guarded by the version read, which then equals the expected one: of two
 * changes racing from that version, exactly one commits, and the loser reads again and lands here.
 */
function refuseStaleMove(row: repo.MoveRow, input: MoveCardInput): Refused | null {
  if (input.expectedVersion === undefined || row.version === input.expectedVersion) return null;
  const card = repo.toCard(row);
  const reason = `${card.key} was changed since version ${input.expectedVersion} (it is at version ${card.version} now), so it was not moved`;
  return refused(new AppError('STALE_VERSION', reason, { field: 'expectedVersion', card }), reason);
}

/**
 * Counts the target column under its lock (taken first, so concurrent moves into it queue) and rules
 * on it: the warning to pass on, or the refusal. Call inside the move's transaction.
 */
export async function checkWip(
  trx: Trx,
  { before, plan }: PreparedMove,
): Promise<{ ok: true; warning?: string } | Refused> {
  const counted = await decideWipUnderLock(trx, before.boardId, plan.wipCheck!.id, before);
  if (!counted)
    return refused(invalid('columnId', 'no such column on this board'), 'no such column on this board');
  const { column, wip } = counted;
  if (wip.kind === 'refuse') {
    return refused(
      new AppError('WIP_LIMIT_REACHED', wip.message, {
        columnId: column.id,
        columnName: column.name,
        limit: column.wip_limit,
        card: before,
      }),
      wip.message,
    );
  }
  return wip.kind === 'warn' ? { ok: true, warning: wip.message } : { ok: true };
}

/** The guarded write and the event it records; the card in the event is the card after the write. */
export function moveWrite(
  actor: Actor,
  boardId: string,
  { before, plan, now }: PreparedMove,
  assignTo?: string | null,
  warning?: string,
) {
  const write: repo.MoveWrite = {
    id: before.id,
    version: before.version,
    rank: plan.rank,
    columnId: plan.columnId,
    sprintId: plan.sprintId,
    stream: plan.stream,
    startedAt: plan.startedAt,
    doneAt: plan.doneAt,
    ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
    updatedAt: now,
  };
  const card: Card = {
    ...before,
    rank: plan.rank,
    columnId: plan.columnId,
    sprintId: plan.sprintId,
    stream: plan.stream,
    startedAt: plan.startedAt?.toISOString() ?? null,
    doneAt: plan.doneAt?.toISOString() ?? null,
    ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  const from = {
    rank: before.rank,
    columnId: before.columnId,
    sprintId: before.sprintId,
    stream: before.stream,
  };
  // Every watcher gets the event: it carries the card's new place, not the whole card.
  const placement: CardPlacement = {
    id: card.id,
    version: card.version,
    rank: card.rank,
    columnId: card.columnId,
    sprintId: card.sprintId,
    stream: card.stream,
    startedAt: card.startedAt,
    doneAt: card.doneAt,
    updatedAt: card.updatedAt,
    ...(assignTo !== undefined ? { assigneeId: assignTo } : {}),
  };
  const event: NewEvent = {
    boardId,
    type: 'card.moved',
    cardId: before.id,
    actor,
    payload: { card: placement, from, ...(warning ? { warning } : {}) },
  };
  return { write, event, card };
}

/**
 * Writes a decided move in the caller's transaction: WIP counted under the column's lock when the
 * plan asks, then the card's place guarded by the version the move read, with its event. Null when
 * the card moved meanwhile (nothing was written; read again).
 */
export async function commitPreparedMove<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  prepared: PreparedMove,
  assignTo?: string | null,
): Promise<Moved<E> | Refused | null> {
  let warning: string | undefined;
  if (prepared.plan.wipCheck) {
    const counted = await checkWip(trx, prepared);
    if (!counted.ok) return counted;
    warning = counted.warning;
  }
  const { write, event, card } = moveWrite(actor, boardId, prepared, assignTo, warning);
  const recorded = await record(event, repo.moveCard(trx, write));
  if (recorded === null) return null;
  return { ok: true, card, event: recorded, ...(warning ? { warning } : {}) };
}

/**
 * A whole move in the caller's transaction: read its facts, decide, count WIP, write. Null when the
 * card moved between the read and the write (only when the caller has not locked it).
 */
export async function moveCard<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  cardId: string,
  input: MoveCardInput,
  assignTo?: string | null,
): Promise<Moved<E> | Refused | null> {
  const [row] = await repo.loadMoves(trx, boardId, [{ cardId, userId: actor.userId, ...input }]);
  if (!row) return refused(notFound('card'), 'no such card on this board');
  const prepared = decideCardMove(actor, row, input, new Date());
  if ('ok' in prepared) return prepared;
  return commitPreparedMove(trx, record, actor, boardId, prepared, assignTo);
}

// ---- comment and link --------------------------------------------------------------------------

export async function addComment<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  cardId: string,
  body: string,
  internal = false,
) {
  const row = await repo.insertComment(trx, {
    card_id: cardId,
    author_id: actor.userId,
    author_label: actor.label,
    body,
    internal,
  });
  const comment = repo.toComment(row);
  await record({ boardId, type: 'card.commented', cardId, actor, payload: { comment } });
  return comment;
}

/** Links two cards (idempotent); a new link is a board event on the first card. False when it was there. */
export async function linkCards<E>(
  trx: Trx,
  record: EventRecorder<E>,
  actor: Actor,
  boardId: string,
  from: { id: string },
  to: { id: string; key: string },
  kind: string,
): Promise<boolean> {
  if (from.id === to.id) return false;
  const inserted = await repo.insertLink(trx, {
    board_id: boardId,
    card_id: from.id,
    linked_card_id: to.id,
    kind,
    created_by_label: actor.label,
  });
  if (inserted)
    await record({
      boardId,
      type: 'card.linked',
      cardId: from.id,
      actor,
      payload: { cardId: from.id, linkedCardId: to.id, linkedKey: to.key, kind },
    });
  return inserted;
}
