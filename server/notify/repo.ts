/** SQL of outgoing notifications: targets, and the outbox of deliveries to them. */
import { sql, type Transaction } from 'kysely';
import type { Db } from '../infra/database.ts';
import type { Database, NotificationDeliveryRow, NotificationTargetRow } from '../infra/schema.ts';

export type TargetRow = NotificationTargetRow;
export type DeliveryRow = NotificationDeliveryRow;

export function insertTarget(
  db: Db,
  row: {
    board_id: string;
    name: string;
    url: string;
    format: string;
    events: string[];
    enabled: boolean;
    secret: string;
    routing_key: string | null;
    created_by: string | null;
  },
): Promise<TargetRow> {
  return db.insertInto('notification_targets').values(row).returningAll().executeTakeFirstOrThrow();
}

export function listTargets(db: Db, boardId: string): Promise<TargetRow[]> {
  return db
    .selectFrom('notification_targets')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function findTarget(db: Db, boardId: string, id: string): Promise<TargetRow | undefined> {
  return db
    .selectFrom('notification_targets')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function updateTarget(
  db: Db,
  boardId: string,
  id: string,
  set: Partial<Pick<TargetRow, 'name' | 'url' | 'format' | 'events' | 'enabled' | 'routing_key'>>,
): Promise<TargetRow | undefined> {
  return db
    .updateTable('notification_targets')
    .set({ ...set, updated_at: new Date() })
    .where('board_id', '=', boardId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTarget(db: Db, boardId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('notification_targets')
    .where('board_id', '=', boardId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The board's enabled targets subscribed to any of `kinds`, with the board's name for the message. */
export function subscribedTargets(
  trx: Transaction<Database>,
  boardId: string,
  kinds: string[],
): Promise<{ id: string; events: string[]; board_name: string }[]> {
  return trx
    .selectFrom('notification_targets as t')
    .innerJoin('boards as b', 'b.id', 't.board_id')
    .select(['t.id', 't.events', 'b.name as board_name'])
    .where('t.board_id', '=', boardId)
    .where('t.enabled', '=', true)
    .where(sql<boolean>`t.events && ${kinds}::text[]`)
    .execute();
}

/** Key and title of the cards a batch of service events is about (for the notices' words). */
export async function cardRefs(
  trx: Transaction<Database>,
  cardIds: string[],
): Promise<Map<string, { key: string; title: string }>> {
  if (cardIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom('cards')
    .select(['id', 'key', 'title'])
    .where('id', 'in', [...new Set(cardIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, { key: r.key, title: r.title }]));
}

/**
 * Record deliveries; one already recorded for the same (target, event, kind) is left as it is.
 * Returns the ids of those recorded now.
 */
export async function insertDeliveries(
  trx: Transaction<Database> | Db,
  rows: { target_id: string; board_id: string; event_seq: number | null; kind: string; notice: string }[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const inserted = await trx
    .insertInto('notification_deliveries')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['target_id', 'event_seq', 'kind']).where('event_seq', 'is not', null).doNothing(),
    )
    .returning('id')
    .execute();
  return inserted.map((r) => r.id);
}

export interface ClaimedDelivery {
  delivery: DeliveryRow;
  target: TargetRow;
}

/**
 * Take a delivery for one attempt: count the attempt and hold it for `leaseSeconds`, so a second
 * worker (a job run again after its lease ran out) cannot send it at the same time. Null when it is
 * finished or held by an attempt still in its lease.
 */
export async function claimDelivery(
  db: Db,
  id: string,
  leaseSeconds: number,
): Promise<ClaimedDelivery | null> {
  const delivery = await db
    .updateTable('notification_deliveries')
    .set({
      status: 'sending',
      attempts: sql`attempts + 1`,
      claimed_until: sql`now() + make_interval(secs => ${leaseSeconds})`,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'retrying']),
        eb.and([eb('status', '=', 'sending'), eb('claimed_until', '<', sql<Date>`now()`)]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
  if (!delivery) return null;
  const target = await db
    .selectFrom('notification_targets')
    .selectAll()
    .where('id', '=', delivery.target_id)
    .executeTakeFirst();
  return target ? { delivery, target } : null;
}

export async function finishAttempt(
  db: Db,
  id: string,
  outcome: { status: 'delivered' | 'retrying' | 'failed'; responseCode: number | null; error: string | null },
): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({
      status: outcome.status,
      response_code: outcome.responseCode,
      last_error: outcome.error,
      claimed_until: null,
      updated_at: new Date(),
      ...(outcome.status === 'delivered' ? { delivered_at: new Date() } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export function deliveriesOf(db: Db, targetId: string, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('notification_deliveries')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function findDelivery(db: Db, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function boardName(db: Db, boardId: string): Promise<string | undefined> {
  return db
    .selectFrom('boards')
    .select('name')
    .where('id', '=', boardId)
    .executeTakeFirst()
    .then((r) => r?.name);
}

/** Every target's sealed values, locked until the transaction ends (the server-key rotation, ops/rekey.ts). */
export function allTargetSecretsForUpdate(trx: Transaction<Database>) {
  return trx
    .selectFrom('notification_targets')
    .select(['id', 'secret', 'routing_key'])
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function setTargetSecrets(
  trx: Transaction<Database>,
  rows: { id: string; secret: string; routing_key: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => sql`(${r.id}::uuid, ${r.secret}::text, ${r.routing_key}::text)`);
  await sql`update notification_targets as t
    set secret = v.secret, routing_key = v.routing_key
    from (values ${sql.join(values)}) as v(id, secret, routing_key)
    where t.id = v.id`.execute(trx);
}
