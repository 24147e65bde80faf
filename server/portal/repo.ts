/** SQL for the request portal: requesters of a board, service requests with their status facts, ratings. */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../infra/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

// ---- requesters ----------------------------------------------------------------------------------

/** The board (name, key) when the user is one of its requesters. */
export function requesterBoard(db: Q, boardId: string, userId: string) {
  return db
    .selectFrom('board_requesters as r')
    .innerJoin('boards as b', 'b.id', 'r.board_id')
    .select(['b.id', 'b.name', 'b.key'])
    .where('r.board_id', '=', boardId)
    .where('r.user_id', '=', userId)
    .executeTakeFirst();
}

export function requesterBoards(db: Q, userId: string) {
  return db
    .selectFrom('board_requesters as r')
    .innerJoin('boards as b', 'b.id', 'r.board_id')
    .select(['b.id', 'b.name', 'b.key'])
    .where('r.user_id', '=', userId)
    .orderBy('b.name')
    .execute();
}

export function listRequesters(db: Q, boardId: string) {
  return db
    .selectFrom('board_requesters as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['u.id as userId', 'u.name', 'u.email'])
    .where('r.board_id', '=', boardId)
    .orderBy('u.name')
    .execute();
}

export function userByEmail(db: Q, email: string) {
  return db
    .selectFrom('users')
    .select(['id as userId', 'name', 'email'])
    .where(sql`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

export async function addRequester(db: Q, boardId: string, userId: string, addedBy: string | null) {
  await db
    .insertInto('board_requesters')
    .values({ board_id: boardId, user_id: userId, added_by: addedBy })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeRequester(db: Q, boardId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('board_requesters')
    .where('board_id', '=', boardId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}

// ---- requests ------------------------------------------------------------------------------------

/** A service request with the facts its status is read from. */
function requests(db: Q) {
  return db
    .selectFrom('service_requests as s')
    .innerJoin('cards as c', 'c.id', 's.card_id')
    .leftJoin('board_columns as col', 'col.id', 'c.column_id')
    .leftJoin('sla_clocks as clk', 'clk.card_id', 's.card_id')
    .leftJoin('request_ratings as rr', 'rr.card_id', 's.card_id')
    .select([
      's.card_id',
      's.board_id',
      's.requester_id',
      's.request_type',
      'c.key',
      'c.title',
      'c.description',
      'c.created_at',
      'c.updated_at',
      'c.done_at',
      'col.category',
      'clk.waiting',
      'rr.rating',
      'rr.comment as rating_comment',
      'rr.rated_at',
    ]);
}
export type RequestRow = Awaited<ReturnType<ReturnType<typeof requests>['executeTakeFirstOrThrow']>>;

export function listRequests(db: Q, boardId: string, requesterId: string) {
  return requests(db)
    .where('s.board_id', '=', boardId)
    .where('s.requester_id', '=', requesterId)
    .orderBy('s.created_at', 'desc')
    .execute();
}

/** One request, only when it is this requester's on this board (else undefined: never someone else's). */
export function findRequest(db: Q, boardId: string, requesterId: string, cardId: string) {
  return requests(db)
    .where('s.card_id', '=', cardId)
    .where('s.board_id', '=', boardId)
    .where('s.requester_id', '=', requesterId)
    .executeTakeFirst();
}

/** The same, locking the request's row, so two ratings of it are decided one after the other. */
export async function lockRequest(trx: Q, boardId: string, requesterId: string, cardId: string) {
  const locked = await trx
    .selectFrom('service_requests')
    .select('card_id')
    .where('card_id', '=', cardId)
    .where('board_id', '=', boardId)
    .where('requester_id', '=', requesterId)
    .forUpdate()
    .executeTakeFirst();
  return locked ? findRequest(trx, boardId, requesterId, cardId) : undefined;
}

export async function insertRequest(
  db: Q,
  values: { cardId: string; boardId: string; requesterId: string; requestType: string },
) {
  await db
    .insertInto('service_requests')
    .values({
      card_id: values.cardId,
      board_id: values.boardId,
      requester_id: values.requesterId,
      request_type: values.requestType,
    })
    .execute();
}

/** A request by its card, with its requester, for the team (undefined: the card is no request). */
export function requestOfCard(db: Q, boardId: string, cardId: string) {
  return requests(db)
    .innerJoin('users as u', 'u.id', 's.requester_id')
    .select(['u.name as requester_name', 'u.email as requester_email'])
    .where('s.card_id', '=', cardId)
    .where('s.board_id', '=', boardId)
    .executeTakeFirst();
}

/** Whose request a card is (undefined: not a service request). */
export function requesterOf(db: Q, cardId: string) {
  return db
    .selectFrom('service_requests')
    .select(['requester_id', 'board_id'])
    .where('card_id', '=', cardId)
    .executeTakeFirst();
}

/** One rating per request: false when there was one already. */
export async function insertRating(
  db: Q,
  values: { cardId: string; boardId: string; rating: number; comment: string; ratedBy: string },
): Promise<boolean> {
  const row = await db
    .insertInto('request_ratings')
    .values({
      card_id: values.cardId,
      board_id: values.boardId,
      rating: values.rating,
      comment: values.comment,
      rated_by: values.ratedBy,
    })
    .onConflict((oc) => oc.column('card_id').doNothing())
    .returning('card_id')
    .executeTakeFirst();
  return !!row;
}
