/**
 * The per-board event log. Every accepted change appends one event in the same transaction as the
 * change; the board row's `seq` hands out the number, so sequence order is commit order. After the
 * commit, services publish the event on the bus and the real-time layer broadcasts it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type OperationNodeSource, sql, type Transaction } from 'kysely';
import type { BoardEvent, BoardEventOf, BoardEventType } from '../../protocol/events.ts';
import type { Actor } from '../access/board-access.ts';
import { type Db, PREPARED } from '../infra/database.ts';
import type { Database } from '../infra/schema.ts';

/** A data-modifying Kysely query with RETURNING, e.g. an update guarded by a version. */
export type Change = OperationNodeSource;

/**
 * An event to record, checked against the union: the kind's payload and card id, by the server's
 * actor. The log gives it its number and time.
 */
export type NewEventOf<T extends BoardEventType> = Omit<BoardEventOf<T>, 'seq' | 'at' | 'actor'> & {
  actor: Actor;
};
export type NewEvent = { [T in BoardEventType]: NewEventOf<T> }[BoardEventType];
/** What recording `E` gives back: the event of the same kind. */
export type Recorded<E extends NewEvent> = BoardEventOf<E['type']>;

/**
 * Every committed event is announced on this channel as `boardId:seq:origin` (PostgreSQL sends a
 * NOTIFY only when its transaction commits), so the other server instances can fetch and show it.
 */
export const EVENTS_CHANNEL = 'blendboard_board_events';

/**
 * One round trip: take the board's next sequence number and record the event under it. With
 * `guardedBy` (a data-modifying query with RETURNING), the change, the number and the event are one
 * statement, and nothing is recorded when the change touched no row: then the result is null.
 */
export async function appendEvent<E extends NewEvent>(trx: Db, e: E, origin: string): Promise<Recorded<E>>;
export async function appendEvent<E extends NewEvent>(
  trx: Db,
  e: E,
  origin: string,
  guardedBy: Change,
): Promise<Recorded<E> | null>;
export async function appendEvent<E extends NewEvent>(
  trx: Db,
  e: E,
  origin: string,
  guardedBy?: Change,
): Promise<Recorded<E> | null> {
  const next = guardedBy
    ? sql`change as (${guardedBy}),
          next as (update boards set seq = seq + 1 where id = ${e.boardId} and exists (select 1 from change) returning seq)`
    : sql`next as (update boards set seq = seq + 1 where id = ${e.boardId} returning seq)`;
  const { rows } = await sql<{ seq: number; created_at: Date }>`${sql.raw(PREPARED)}
    with ${next}
    insert into board_events (board_id, seq, type, card_id, actor_id, actor_label, payload)
    select ${e.boardId}, next.seq, ${e.type}, ${e.cardId}, ${e.actor.userId}, ${e.actor.label}, ${JSON.stringify(e.payload)}::jsonb
    from next
    returning seq, created_at,
      pg_notify(${EVENTS_CHANNEL}, ${e.boardId} || ':' || seq || ':' || ${origin})`.execute(trx);
  const row = rows[0];
  if (!row) {
    if (guardedBy) return null;
    throw new Error(`board ${e.boardId} vanished while recording ${e.type}`);
  }
  return recorded(e, row);
}

/** The event as recorded: what was asked for, under the number and time the log gave it. */
function recorded<E extends NewEvent>(e: E, row: { seq: number | string; created_at: Date }): Recorded<E> {
  const { actor, ...event } = e;
  // The kind and its payload are carried over together; TypeScript cannot follow that through a spread.
  return {
    ...event,
    seq: Number(row.seq),
    actor: { id: actor.userId, label: actor.label },
    at: row.created_at.toISOString(),
  } as BoardEvent as Recorded<E>;
}

/**
 * The batch form of a guarded append: `changed` is one data-modifying query RETURNING `card_id` for
 * every card it changed, and `events` hold one event per card. The changed cards' events take the
 * board's next sequence numbers in the order given; the others are not recorded. One statement, so
 * the changes, the numbers and the events commit (and the board's row lock is held) once for all.
 */
export async function appendGuardedEvents(
  db: Db,
  boardId: string,
  changed: Change,
  events: NewEvent[],
  origin: string,
): Promise<BoardEvent[]> {
  const each = <T>(pick: (e: NewEvent) => T) => events.map(pick);
  const { rows } = await sql<{ seq: string; card_id: string; created_at: Date }>`${sql.raw(PREPARED)}
    with changed as (${changed}),
    given as (
      select * from unnest(${each((e) => e.cardId)}::uuid[], ${each((e) => e.type)}::text[],
        ${each((e) => e.actor.userId)}::uuid[], ${each((e) => e.actor.label)}::text[],
        ${each((e) => JSON.stringify(e.payload))}::jsonb[])
      with ordinality as g(card_id, type, actor_id, actor_label, payload, ord)),
    numbered as (
      select g.*, row_number() over (order by g.ord) as rn, count(*) over () as n
      from given g join changed c on c.card_id = g.card_id),
    next as (
      update boards set seq = seq + (select count(*) from numbered)
      where id = ${boardId} and exists (select 1 from numbered) returning seq)
    insert into board_events (board_id, seq, type, card_id, actor_id, actor_label, payload)
    select ${boardId}, next.seq - numbered.n + numbered.rn, numbered.type, numbered.card_id,
      numbered.actor_id, numbered.actor_label, numbered.payload
    from numbered cross join next
    returning seq, card_id, created_at,
      pg_notify(${EVENTS_CHANNEL}, ${boardId} || ':' || seq || ':' || ${origin})`.execute(db);
  const byCard = new Map(events.map((e) => [e.cardId, e]));
  return rows.map((row) => recorded(byCard.get(row.card_id)!, row)).sort((a, b) => a.seq - b.seq);
}

export async function eventsSince(
  db: Db,
  boardId: string,
  sinceSeq: number,
  limit: number,
): Promise<BoardEvent[]> {
  const rows = await db
    .selectFrom('board_events')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('seq', '>', sinceSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

export async function eventsBySeq(db: Db, boardId: string, seqs: number[]): Promise<BoardEvent[]> {
  const rows = await db
    .selectFrom('board_events')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('seq', 'in', seqs)
    .orderBy('seq')
    .execute();
  return rows.map(toEvent);
}

export async function cardHistory(db: Db, cardId: string, limit = 200): Promise<BoardEvent[]> {
  const rows = await db
    .selectFrom('board_events')
    .selectAll()
    .where('card_id', '=', cardId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toEvent);
}

/** The events of a few cards together (an incident and its linked cards), oldest first, the newest `limit`. */
export async function cardsHistory(db: Db, cardIds: string[], limit: number): Promise<BoardEvent[]> {
  if (cardIds.length === 0) return [];
  const rows = await db
    .selectFrom('board_events')
    .selectAll()
    .where('card_id', 'in', cardIds)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toEvent);
}

/**
 * A stored row as the event it records. Rows are written only from the union (NewEvent), and rows
 * of shapes that changed since are migrated, so the row is taken as the kind its type names.
 */
function toEvent(r: {
  board_id: string;
  seq: number | string;
  type: string;
  card_id: string | null;
  actor_id: string | null;
  actor_label: string;
  payload: unknown;
  created_at: Date;
}): BoardEvent {
  return {
    boardId: r.board_id,
    seq: Number(r.seq),
    type: r.type,
    cardId: r.card_id,
    actor: { id: r.actor_id, label: r.actor_label },
    at: r.created_at.toISOString(),
    payload: r.payload,
  } as BoardEvent;
}

/**
 * Work that must commit together with events of some kinds, such as the notification outbox: it
 * runs inside their transaction, after the change recorded them, so it is never lost to a crash
 * between the commit and a subscriber. Only events of `types` reach it; other changes pay nothing.
 */
export interface InTransactionSubscriber {
  types: ReadonlySet<BoardEventType>;
  run(trx: Transaction<Database>, events: BoardEvent[]): Promise<void>;
}

/** The one in-process event bus: committed board events, in the order they were committed. */
export class BoardEventBus {
  /** this server instance, named in the announcement of each event it records */
  readonly origin = randomUUID();
  private readonly emitter = new EventEmitter().setMaxListeners(100);
  private readonly inTransaction: InTransactionSubscriber[] = [];
  /** Run `subscriber` in the transaction of every event of its types (commitWithEvents). */
  subscribeInTransaction(subscriber: InTransactionSubscriber): () => void {
    this.inTransaction.push(subscriber);
    return () => {
      const i = this.inTransaction.indexOf(subscriber);
      if (i >= 0) this.inTransaction.splice(i, 1);
    };
  }
  /** Called by commitWithEvents just before the commit. */
  async beforeCommit(trx: Transaction<Database>, events: readonly BoardEvent[]): Promise<void> {
    for (const s of this.inTransaction) {
      const mine = events.filter((e) => s.types.has(e.type));
      if (mine.length > 0) await s.run(trx, mine);
    }
  }
  publish(event: BoardEvent): void {
    this.emitter.emit('event', event);
  }
  subscribe(listener: (event: BoardEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}

export interface RecordEvent {
  <E extends NewEvent>(event: E): Promise<Recorded<E>>;
  /** record the event in one statement with `change`; null (nothing recorded) when it touched no row */
  <E extends NewEvent>(event: E, guardedBy: Change): Promise<Recorded<E> | null>;
}

/**
 * The one way a change reaches the log and the screens: `work` runs in a transaction and records
 * its board events through `record`; in-transaction subscribers (e.g. the notification outbox) then
 * add their rows for the kinds they asked for; after the commit (and only then) the events are
 * published, in order.
 */
export async function commitWithEvents<T>(
  db: Db,
  bus: BoardEventBus,
  work: (trx: Transaction<Database>, record: RecordEvent) => Promise<T>,
): Promise<T> {
  const recorded: BoardEvent[] = [];
  const result = await db.transaction().execute(async (trx) => {
    const record = (async (e: NewEvent, guardedBy?: Change) => {
      const event = guardedBy
        ? await appendEvent(trx, e, bus.origin, guardedBy)
        : await appendEvent(trx, e, bus.origin);
      if (event) recorded.push(event);
      return event;
    }) as RecordEvent;
    const result = await work(trx, record);
    if (recorded.length > 0) await bus.beforeCommit(trx, recorded);
    return result;
  });
  for (const event of recorded) bus.publish(event);
  return result;
}
