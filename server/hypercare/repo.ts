/**
 * SQL of hyper-care: board defaults, a release's plan, the hyper-care row (the lock), its decisions,
 * and the tickets linked to a release. Kysely only; the rules are in domain/hypercare.ts.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, HypercareRow } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface BoardDefaults {
  windowDays: number;
  extensionDays: number;
  handoverPoint: string;
  checklist: { key: string; label: string }[];
}

export async function settings(db: Q, boardId: string): Promise<BoardDefaults | null> {
  const row = await db
    .selectFrom('board_hypercare_settings')
    .selectAll()
    .where('board_id', '=', boardId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    windowDays: row.window_days,
    extensionDays: row.extension_days,
    handoverPoint: row.handover_point,
    checklist: row.checklist as BoardDefaults['checklist'],
  };
}

export async function saveSettings(db: Q, boardId: string, s: BoardDefaults): Promise<void> {
  const values = {
    window_days: s.windowDays,
    extension_days: s.extensionDays,
    handover_point: s.handoverPoint,
    checklist: JSON.stringify(s.checklist),
  };
  await db
    .insertInto('board_hypercare_settings')
    .values({ board_id: boardId, ...values })
    .onConflict((oc) => oc.column('board_id').doUpdateSet(values))
    .execute();
}

export async function plan(db: Q, releaseId: string) {
  return db
    .selectFrom('release_hypercare_plans')
    .selectAll()
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
}

export async function savePlan(
  db: Q,
  releaseId: string,
  p: { window_days: number | null; handover_point: string | null; services: string },
): Promise<void> {
  await db
    .insertInto('release_hypercare_plans')
    .values({ release_id: releaseId, ...p })
    .onConflict((oc) => oc.column('release_id').doUpdateSet(p))
    .execute();
}

/** The release (of the board) with its hyper-care row, if any. */
export async function release(db: Q, boardId: string, releaseId: string) {
  return db
    .selectFrom('releases')
    .select(['id', 'board_id', 'version', 'stream', 'state'])
    .where('board_id', '=', boardId)
    .where('id', '=', releaseId)
    .executeTakeFirst();
}

export async function find(db: Q, releaseId: string): Promise<HypercareRow | undefined> {
  return db
    .selectFrom('release_hypercare')
    .selectAll()
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
}

/**
 * The hyper-care row, locked until the transaction ends: every hyper-care change, the timer and every
 * incident linked to the release are decided under it, one at a time.
 */
export async function lock(trx: Transaction<Database>, releaseId: string): Promise<HypercareRow | undefined> {
  return trx
    .selectFrom('release_hypercare')
    .selectAll()
    .where('release_id', '=', releaseId)
    .forUpdate()
    .executeTakeFirst();
}

export type NewHypercare = Omit<HypercareRow, 'revision' | 'checklist'> & { checklist: string };

export async function insert(db: Q, row: NewHypercare): Promise<HypercareRow | undefined> {
  // Started once: a second go-live of the same release (it cannot happen) would change nothing.
  return db
    .insertInto('release_hypercare')
    .values(row)
    .onConflict((oc) => oc.column('release_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export type HypercareChange = Partial<{
  state: string;
  ends_at: Date;
  exited_at: Date | null;
  handover: string;
  checklist: string;
}>;

export async function update(db: Q, releaseId: string, change: HypercareChange): Promise<HypercareRow> {
  return db
    .updateTable('release_hypercare')
    .set((eb) => ({ ...change, revision: eb('revision', '+', 1) }))
    .where('release_id', '=', releaseId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertDecision(
  db: Q,
  d: {
    release_id: string;
    kind: string;
    by_user_id: string | null;
    by_label: string;
    reason: string;
    ends_at: Date | null;
    created_at: Date;
  },
): Promise<void> {
  await db.insertInto('hypercare_decisions').values(d).execute();
}

export async function decisions(db: Q, releaseIds: string[]) {
  if (releaseIds.length === 0) return [];
  return db
    .selectFrom('hypercare_decisions')
    .selectAll()
    .where('release_id', 'in', releaseIds)
    .orderBy('id')
    .execute();
}

export async function versions(db: Q, releaseIds: string[]): Promise<Map<string, string>> {
  if (releaseIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('releases')
    .select(['id', 'version'])
    .where('id', 'in', releaseIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** Critical or high incidents and defects in the release's scope that are not done. */
export async function openSevereIncidents(db: Q, releaseId: string): Promise<number> {
  const row = await db
    .selectFrom('release_cards as rc')
    .innerJoin('cards as c', 'c.id', 'rc.card_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('rc.release_id', '=', releaseId)
    .where('c.done_at', 'is', null)
    .where('c.priority', 'in', ['critical', 'high'])
    .where('c.type', 'in', ['incident', 'defect_automated', 'defect_manual'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The release's open tickets (in its scope, not done) not yet in `stream`, locked, in rank order. */
export async function openTicketsOutside(trx: Transaction<Database>, releaseId: string, stream: string) {
  return trx
    .selectFrom('release_cards as rc')
    .innerJoin('cards as c', 'c.id', 'rc.card_id')
    .select(['c.id', 'c.rank'])
    .where('rc.release_id', '=', releaseId)
    .where('c.done_at', 'is', null)
    .where('c.stream', '<>', stream)
    .orderBy(sql`c.rank collate "C"`)
    .forUpdate()
    .execute();
}

/** Live releases of the board with the services their plans name, for matching a ticket to one. */
export async function liveReleases(db: Q, boardId: string) {
  const rows = await db
    .selectFrom('releases as r')
    .leftJoin('release_hypercare_plans as p', 'p.release_id', 'r.id')
    .select(['r.id', 'r.version', 'r.live_at', 'p.services'])
    .where('r.board_id', '=', boardId)
    .where('r.state', '=', 'live')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    liveAt: r.live_at,
    services: (r.services as string[] | null) ?? [],
  }));
}

/** The release the card travels in, if any. */
export async function releaseOfCard(db: Q, cardId: string) {
  return db.selectFrom('release_cards').select('release_id').where('card_id', '=', cardId).executeTakeFirst();
}

export async function addCard(db: Q, releaseId: string, cardId: string): Promise<void> {
  await db
    .insertInto('release_cards')
    .values({ release_id: releaseId, card_id: cardId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Hyper-care still running, for the timers' start-up sweep. */
export async function running(db: Q) {
  return db
    .selectFrom('release_hypercare')
    .select(['release_id', 'ends_at'])
    .where('state', '<>', 'exited')
    .orderBy('ends_at')
    .execute();
}

/** The board's hyper-care still running (bounded by its live releases). */
export async function runningOnBoard(db: Q, boardId: string): Promise<HypercareRow[]> {
  return db
    .selectFrom('release_hypercare')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('state', '<>', 'exited')
    .orderBy('ends_at')
    .execute();
}
