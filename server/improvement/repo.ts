/**
 * SQL for review and improve (issue 17): the board's review cadence, reviews with their attendees
 * and releases reviewed, and the improvement register with its links to releases and cards. Kysely
 * only, no rules; every list is bounded.
 */
import { type Insertable, type Kysely, sql, type Updateable } from 'kysely';
import type {
  Database,
  ImprovementItemRow,
  ImprovementItemsTable,
  ImprovementReviewRow,
} from '../infra/schema.ts';

type Q = Kysely<Database>;

// ---- settings ----------------------------------------------------------------------------------

export function settings(db: Q, boardId: string) {
  return db
    .selectFrom('board_improvement_settings')
    .selectAll()
    .where('board_id', '=', boardId)
    .executeTakeFirst();
}

/** The cadence; the day it started stays as first set (the clock before the first review runs from it). */
export function saveSettings(db: Q, boardId: string, cadenceWeeks: number, today: string) {
  return db
    .insertInto('board_improvement_settings')
    .values({ board_id: boardId, cadence_weeks: cadenceWeeks, since: today, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('board_id').doUpdateSet({ cadence_weeks: cadenceWeeks, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- who and what may be named -----------------------------------------------------------------

/** Which of these users are members of the board, with their names. */
export async function members(db: Q, boardId: string, userIds: readonly string[]) {
  if (userIds.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('board_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name'])
    .where('m.board_id', '=', boardId)
    .where('m.user_id', 'in', [...userIds])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function releasesOnBoard(db: Q, boardId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db
    .selectFrom('releases')
    .select('id')
    .where('board_id', '=', boardId)
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

export async function cardsOnBoard(db: Q, boardId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, { key: string; type: string }>();
  const rows = await db
    .selectFrom('cards')
    .select(['id', 'key', 'type'])
    .where('board_id', '=', boardId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { key: r.key, type: r.type }]));
}

// ---- reviews -----------------------------------------------------------------------------------

export function reviews(db: Q, boardId: string, limit: number) {
  return db
    .selectFrom('improvement_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('scheduled_on', 'desc')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Every review's day and whether it was held: the schedule's facts (a board holds few). */
export function reviewDates(db: Q, boardId: string) {
  return db
    .selectFrom('improvement_reviews')
    .select(['scheduled_on', 'held_at'])
    .where('board_id', '=', boardId)
    .limit(5_000)
    .execute();
}

export function findReview(db: Q, boardId: string, reviewId: string) {
  return db
    .selectFrom('improvement_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', reviewId)
    .executeTakeFirst();
}

export function lockReview(db: Q, boardId: string, reviewId: string) {
  return db
    .selectFrom('improvement_reviews')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', reviewId)
    .forUpdate()
    .executeTakeFirst();
}

export function insertReview(
  db: Q,
  row: Pick<
    ImprovementReviewRow,
    'board_id' | 'title' | 'scheduled_on' | 'held_at' | 'minutes' | 'created_by'
  >,
) {
  return db
    .insertInto('improvement_reviews')
    .values({ ...row, created_at: new Date(), updated_at: new Date() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type ReviewChange = Partial<
  Pick<ImprovementReviewRow, 'title' | 'scheduled_on' | 'held_at' | 'minutes'>
>;

/** Applies a change and counts it in the revision. */
export function updateReview(db: Q, reviewId: string, set: ReviewChange) {
  return db
    .updateTable('improvement_reviews')
    .set({ ...set, revision: sql`revision + 1`, updated_at: new Date() })
    .where('id', '=', reviewId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteReview(db: Q, reviewId: string) {
  await db.deleteFrom('improvement_reviews').where('id', '=', reviewId).execute();
}

export async function setAttendees(db: Q, reviewId: string, userIds: readonly string[]) {
  await db.deleteFrom('improvement_review_attendees').where('review_id', '=', reviewId).execute();
  if (userIds.length > 0)
    await db
      .insertInto('improvement_review_attendees')
      .values(userIds.map((user_id) => ({ review_id: reviewId, user_id })))
      .execute();
}

export async function setReviewReleases(db: Q, reviewId: string, releaseIds: readonly string[]) {
  await db.deleteFrom('improvement_review_releases').where('review_id', '=', reviewId).execute();
  if (releaseIds.length > 0)
    await db
      .insertInto('improvement_review_releases')
      .values(releaseIds.map((release_id) => ({ review_id: reviewId, release_id })))
      .execute();
}

/** The attendees and releases of these reviews, in one query each. */
export async function reviewDetails(db: Q, reviewIds: readonly string[]) {
  if (reviewIds.length === 0) return { attendees: [], releases: [] };
  const [attendees, releases] = await Promise.all([
    db
      .selectFrom('improvement_review_attendees as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.review_id', 'u.id as user_id', 'u.name'])
      .where('a.review_id', 'in', [...reviewIds])
      .orderBy('u.name')
      .execute(),
    db
      .selectFrom('improvement_review_releases as rr')
      .innerJoin('releases as r', 'r.id', 'rr.release_id')
      .select(['rr.review_id', 'r.id as release_id', 'r.version'])
      .where('rr.review_id', 'in', [...reviewIds])
      .orderBy('r.created_at')
      .execute(),
  ]);
  return { attendees, releases };
}

// ---- improvement items -------------------------------------------------------------------------

export function items(db: Q, boardId: string, filter: { status?: string; quarter?: string }, limit: number) {
  return db
    .selectFrom('improvement_items')
    .selectAll()
    .where('board_id', '=', boardId)
    .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
    .$if(filter.quarter !== undefined, (q) => q.where('due_quarter', '=', filter.quarter!))
    .orderBy('number')
    .limit(limit)
    .execute();
}

export function findItem(db: Q, boardId: string, itemId: string) {
  return db
    .selectFrom('improvement_items')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', itemId)
    .executeTakeFirst();
}

export function lockItem(db: Q, boardId: string, itemId: string) {
  return db
    .selectFrom('improvement_items')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', itemId)
    .forUpdate()
    .executeTakeFirst();
}

export type ItemValues = Omit<
  Insertable<ImprovementItemsTable>,
  | 'id'
  | 'number'
  | 'revision'
  | 'created_at'
  | 'updated_at'
  | 'status'
  | 'result'
  | 'result_value'
  | 'closed_at'
> & { board_id: string };

/**
 * A new item with the board's next number. Items of one board are numbered one at a time: the
 * transaction-scoped advisory lock keeps two raised at once from taking the same number.
 */
export async function insertItem(db: Q, row: ItemValues) {
  await sql`select pg_advisory_xact_lock(hashtext(${`improvement:${row.board_id}`}))`.execute(db);
  const last = await db
    .selectFrom('improvement_items')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('board_id', '=', row.board_id)
    .executeTakeFirst();
  return db
    .insertInto('improvement_items')
    .values({ ...row, number: Number(last?.n ?? 0) + 1, created_at: new Date(), updated_at: new Date() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type ItemChange = Omit<
  Updateable<ImprovementItemsTable>,
  'id' | 'board_id' | 'number' | 'revision' | 'created_at'
>;

export function updateItem(db: Q, itemId: string, set: ItemChange) {
  return db
    .updateTable('improvement_items')
    .set({ ...set, revision: sql`revision + 1`, updated_at: new Date() })
    .where('id', '=', itemId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteItem(db: Q, itemId: string) {
  await db.deleteFrom('improvement_items').where('id', '=', itemId).execute();
}

export async function setItemReleases(db: Q, itemId: string, releaseIds: readonly string[]) {
  await db.deleteFrom('improvement_item_releases').where('item_id', '=', itemId).execute();
  if (releaseIds.length > 0)
    await db
      .insertInto('improvement_item_releases')
      .values(releaseIds.map((release_id) => ({ item_id: itemId, release_id })))
      .execute();
}

export async function setItemCards(db: Q, itemId: string, cardIds: readonly string[]) {
  await db.deleteFrom('improvement_item_cards').where('item_id', '=', itemId).execute();
  if (cardIds.length > 0)
    await db
      .insertInto('improvement_item_cards')
      .values(cardIds.map((card_id) => ({ item_id: itemId, card_id })))
      .execute();
}

/** The owners, releases and cards of these items, in one query each. */
export async function itemDetails(db: Q, items: readonly ImprovementItemRow[]) {
  const ids = items.map((i) => i.id);
  const owners = [...new Set(items.map((i) => i.owner_id).filter((o): o is string => o !== null))];
  if (ids.length === 0) return { owners: new Map<string, string>(), releases: [], cards: [] };
  const [ownerRows, releases, cards] = await Promise.all([
    owners.length
      ? db.selectFrom('users').select(['id', 'name']).where('id', 'in', owners).execute()
      : Promise.resolve([]),
    db
      .selectFrom('improvement_item_releases as ir')
      .innerJoin('releases as r', 'r.id', 'ir.release_id')
      .select(['ir.item_id', 'r.id as release_id', 'r.version'])
      .where('ir.item_id', 'in', ids)
      .orderBy('r.created_at')
      .execute(),
    db
      .selectFrom('improvement_item_cards as ic')
      .innerJoin('cards as c', 'c.id', 'ic.card_id')
      .select(['ic.item_id', 'c.id as card_id', 'c.key', 'c.title', 'c.type'])
      .where('ic.item_id', 'in', ids)
      .orderBy('c.created_at')
      .execute(),
  ]);
  return { owners: new Map(ownerRows.map((o) => [o.id, o.name])), releases, cards };
}
