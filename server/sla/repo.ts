/** SQL of SLA documents and clocks. Kysely only; the rules are in domain/sla.ts. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { SlaDocument } from '../../protocol/sla.ts';
import { REQUEST_LABEL } from '../domain/sla.ts';
import type { Database, SlaClockRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export async function documentOf(db: Q, boardId: string) {
  const row = await db
    .selectFrom('board_sla')
    .select(['document', 'revision'])
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  return row ? { document: row.document as SlaDocument, revision: row.revision } : null;
}

/** Writes the board's document; the revision it now has. */
export async function saveDocument(db: Q, boardId: string, document: SlaDocument): Promise<number> {
  const json = JSON.stringify(document);
  const row = await db
    .insertInto('board_sla')
    .values({ board_id: boardId, document: json })
    .onConflict((oc) =>
      oc
        .column('board_id')
        .doUpdateSet((eb) => ({ document: json, revision: eb('board_sla.revision', '+', 1) })),
    )
    .returning('revision')
    .executeTakeFirstOrThrow();
  return row.revision;
}

/**
 * The card's clock row, locked until the transaction ends. `due`: only while its next stage is due,
 * skipping a row another instance (or a card change) holds: that one announces it.
 */
export async function lockClock(
  trx: Transaction<Database>,
  cardId: string,
  due = false,
): Promise<SlaClockRow | undefined> {
  let q = trx.selectFrom('sla_clocks').selectAll().where('card_id', '=', cardId);
  if (due) q = q.where('next_due_at', '<=', sql<Date>`now()`);
  return (due ? q.forUpdate().skipLocked() : q.forUpdate()).executeTakeFirst();
}

/** What a card's clocks follow: its kind, priority and whether it is done. */
export async function cardFacts(db: Q, cardId: string) {
  return db
    .selectFrom('cards')
    .select(['id', 'board_id', 'type', 'stream', 'labels', 'priority', 'done_at', 'created_at'])
    .where('id', '=', cardId)
    .executeTakeFirst();
}

/**
 * When the team first answered: a person's move of the card or public comment since `since`. A
 * plugin's actions do not count, nor do the requester's own comments on their request, nor internal
 * notes, which the requester never sees.
 */
export async function firstHumanActionAt(db: Q, cardId: string, since: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('board_events')
    .select('created_at')
    .where('card_id', '=', cardId)
    .where('actor_id', 'is not', null)
    .where('type', 'in', ['card.moved', 'card.commented'])
    .where(sql<boolean>`not coalesce((payload->'comment'->>'internal')::boolean, false)`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('service_requests')
            .select('card_id')
            .whereRef('service_requests.card_id', '=', 'board_events.card_id')
            .whereRef('service_requests.requester_id', '=', 'board_events.actor_id'),
        ),
      ),
    )
    .where('created_at', '>=', since)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return row?.created_at ?? null;
}

export type NewClock = {
  card_id: string;
  board_id: string;
  kind: string;
  started_at: Date;
  tiers: string;
};

/** A new clock row, locked; undefined when the card got one meanwhile. */
export async function insertClock(db: Q, values: NewClock): Promise<SlaClockRow | undefined> {
  return db
    .insertInto('sla_clocks')
    .values(values)
    .onConflict((oc) => oc.column('card_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export type ClockChange = Partial<{
  kind: string;
  impact: number | null;
  urgency: number | null;
  tiers: string;
  pauses: string;
  waiting: string | null;
  response_met_at: Date | null;
  resolved_at: Date | null;
  fired: string[];
  next_due_at: Date | null;
  next_stage: string | null;
}>;

export async function updateClock(db: Q, cardId: string, change: ClockChange): Promise<SlaClockRow> {
  return db
    .updateTable('sla_clocks')
    .set((eb) => ({ ...change, revision: eb('revision', '+', 1) }))
    .where('card_id', '=', cardId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteClock(db: Q, cardId: string): Promise<void> {
  await db.deleteFrom('sla_clocks').where('card_id', '=', cardId).execute();
}

export async function clocksOfBoard(db: Q, boardId: string): Promise<SlaClockRow[]> {
  return db
    .selectFrom('sla_clocks')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('started_at')
    .execute();
}

export async function clockOf(db: Q, boardId: string, cardId: string): Promise<SlaClockRow | undefined> {
  return db
    .selectFrom('sla_clocks')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('card_id', '=', cardId)
    .executeTakeFirst();
}

/** The board's unresolved clocks, locked: a new document moves all their deadlines. */
export async function lockOpenClocks(trx: Transaction<Database>, boardId: string): Promise<SlaClockRow[]> {
  return trx
    .selectFrom('sla_clocks')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('resolved_at', 'is', null)
    .orderBy('card_id')
    .forUpdate()
    .execute();
}

/** Cards whose next stage is due, earliest first: an index range scan of the due ones only. */
export async function dueCardIds(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('sla_clocks')
    .select('card_id')
    .where('next_due_at', '<=', sql<Date>`now()`)
    .orderBy('next_due_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.card_id);
}

/** The earliest next due instant of all clocks (one index probe), or null when none is pending. */
export async function nextDueAt(db: Q): Promise<Date | null> {
  const row = await db
    .selectFrom('sla_clocks')
    .select('next_due_at')
    .where('next_due_at', 'is not', null)
    .orderBy('next_due_at')
    .limit(1)
    .executeTakeFirst();
  return row?.next_due_at ?? null;
}

/**
 * Open incidents and service requests that have no clock (their change was committed but the server
 * stopped before it started the clock): the start-up catches them up.
 */
export async function unclockedCardIds(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('cards as c')
    .leftJoin('sla_clocks as s', 's.card_id', 'c.id')
    .select('c.id')
    .where('c.stream', '=', 'maintenance')
    .where('c.done_at', 'is', null)
    .where('s.card_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb('c.type', 'in', ['incident', 'service_request']),
        eb(sql.lit(REQUEST_LABEL), '=', eb.fn.any('c.labels')),
      ]),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
