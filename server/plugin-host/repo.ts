/** SQL for installations, deliveries and plugin tickets: Kysely only, no rules. */
import { type Kysely, sql } from 'kysely';
import type { CardRow, Database, DeliveryRow, InstallationRow, PluginTicketRow } from '../infra/schema.ts';

type Q = Kysely<Database>;

// ---- Installations ----------------------------------------------------------------------------

export function findInstallation(db: Q, id: string): Promise<InstallationRow | undefined> {
  return db.selectFrom('plugin_installations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listInstallations(db: Q, boardId: string): Promise<InstallationRow[]> {
  return db
    .selectFrom('plugin_installations')
    .selectAll()
    .where('board_id', '=', boardId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function enabledInstallationsOf(db: Q, boardId: string): Promise<InstallationRow[]> {
  return db
    .selectFrom('plugin_installations')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('enabled', '=', true)
    .orderBy('created_at')
    .execute();
}

export function insertInstallation(
  db: Q,
  row: {
    board_id: string;
    plugin_id: string;
    name: string;
    config: unknown;
    secret: string;
    enabled: boolean;
    created_by: string | null;
  },
): Promise<InstallationRow> {
  return db
    .insertInto('plugin_installations')
    .values({ ...row, config: JSON.stringify(row.config) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateInstallation(
  db: Q,
  id: string,
  set: { name?: string; config?: unknown; enabled?: boolean },
): Promise<InstallationRow | undefined> {
  return db
    .updateTable('plugin_installations')
    .set({
      ...(set.name !== undefined ? { name: set.name } : {}),
      ...(set.enabled !== undefined ? { enabled: set.enabled } : {}),
      ...(set.config !== undefined ? { config: JSON.stringify(set.config) } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function rotateSecret(
  db: Q,
  id: string,
  secret: string,
  previousValidUntil: Date | null,
): Promise<InstallationRow | undefined> {
  return db
    .updateTable('plugin_installations')
    .set((eb) => ({
      previous_secret: previousValidUntil ? eb.ref('secret') : null,
      previous_secret_expires_at: previousValidUntil,
      secret,
      secret_rotated_at: new Date(),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Installations with a secret not sealed yet (no `sealedPrefix`), locked until the transaction ends. */
export function unsealedSecretsForUpdate(
  db: Q,
  sealedPrefix: string,
): Promise<Pick<InstallationRow, 'id' | 'secret' | 'previous_secret'>[]> {
  return db
    .selectFrom('plugin_installations')
    .select(['id', 'secret', 'previous_secret'])
    .where(
      sql<boolean>`not starts_with(secret, ${sealedPrefix})
        or (previous_secret is not null and not starts_with(previous_secret, ${sealedPrefix}))`,
    )
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Replace the secrets of many installations in one statement. */
export async function setSecrets(
  db: Q,
  rows: { id: string; secret: string; previous_secret: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => sql`(${r.id}::uuid, ${r.secret}::text, ${r.previous_secret}::text)`);
  await sql`update plugin_installations as i
    set secret = v.secret, previous_secret = v.previous_secret
    from (values ${sql.join(values)}) as v(id, secret, previous_secret)
    where i.id = v.id`.execute(db);
}

/** Every installation's secrets, for checking at start-up that this server's key opens them. */
export function allSecrets(
  db: Q,
): Promise<Pick<InstallationRow, 'id' | 'secret' | 'previous_secret' | 'previous_secret_expires_at'>[]> {
  return db
    .selectFrom('plugin_installations')
    .select(['id', 'secret', 'previous_secret', 'previous_secret_expires_at'])
    .orderBy('id')
    .execute();
}

export async function deleteInstallation(db: Q, id: string): Promise<boolean> {
  const r = await db.deleteFrom('plugin_installations').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- Deliveries -------------------------------------------------------------------------------

export interface NewDelivery {
  /** time-ordered (ordered-id.ts) so deliveries committed together keep their arrival order */
  id?: string;
  received_at?: Date;
  installation_id: string;
  webhook: string;
  delivery_key: string | null;
  verification: 'passed' | 'failed' | 'not_checked';
  status: 'queued' | 'rejected';
  http_status: number;
  error?: string | null;
  content_type: string | null;
  headers: Record<string, string>;
  body: Buffer | null;
  body_bytes: number;
}

/** Insert, or count a duplicate of the same delivery id. One statement; `inserted` tells which. */
export async function storeDelivery(db: Q, d: NewDelivery): Promise<{ id: string; inserted: boolean }> {
  const row = await db
    .insertInto('plugin_deliveries')
    .values({ ...d, headers: JSON.stringify(d.headers) })
    .onConflict((oc) =>
      oc
        .columns(['installation_id', 'delivery_key'])
        .doUpdateSet((eb) => ({ duplicates: eb('plugin_deliveries.duplicates', '+', 1) })),
    )
    .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .executeTakeFirstOrThrow();
  return { id: row.id, inserted: row.inserted };
}

/**
 * Many deliveries in one statement (the caller removes repeats of one delivery id first): new ones
 * are inserted, known ones count a duplicate. Returns every row with whether it is new.
 */
export async function storeDeliveries(
  db: Q,
  rows: NewDelivery[],
): Promise<{ id: string; installation_id: string; delivery_key: string | null; inserted: boolean }[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('plugin_deliveries')
    .values(rows.map((d) => ({ ...d, headers: JSON.stringify(d.headers) })))
    .onConflict((oc) =>
      oc
        .columns(['installation_id', 'delivery_key'])
        .doUpdateSet((eb) => ({ duplicates: eb('plugin_deliveries.duplicates', '+', 1) })),
    )
    .returning(['id', 'installation_id', 'delivery_key', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
}

export function findDelivery(db: Q, installationId: string, id: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('plugin_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('installation_id', '=', installationId)
    .executeTakeFirst();
}

export function lockDeliveryStatus(db: Q, id: string) {
  return db
    .selectFrom('plugin_deliveries')
    .select(['status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

const SUMMARY_COLUMNS = [
  'id',
  'installation_id',
  'webhook',
  'delivery_key',
  'received_at',
  'verification',
  'status',
  'outcome',
  'http_status',
  'error',
  'summary',
  'attempts',
  'retrying',
  'duplicates',
  'body_bytes',
  'card_ids',
  'processed_at',
] as const;
export type DeliverySummaryRow = Pick<DeliveryRow, (typeof SUMMARY_COLUMNS)[number]>;

/** Newest first, keyset-paginated on (received_at, id). */
export function listDeliveries(
  db: Q,
  installationId: string,
  filter: { status?: string; outcome?: string; beforeId?: string; limit: number },
): Promise<DeliverySummaryRow[]> {
  return (
    db
      .selectFrom('plugin_deliveries')
      .select(SUMMARY_COLUMNS)
      .where('installation_id', '=', installationId)
      .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
      .$if(filter.outcome !== undefined, (q) => q.where('outcome', '=', filter.outcome!))
      // The cursor is a delivery id; compare on the stored timestamp itself (microseconds, not the JSON millis).
      .$if(filter.beforeId !== undefined, (q) =>
        q.where(
          sql<boolean>`(received_at, id) < (select d.received_at, d.id from plugin_deliveries d where d.id = ${filter.beforeId})`,
        ),
      )
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute()
  );
}

export function markProcessed(
  db: Q,
  id: string,
  r: { outcome: string; summary: string | null; results: unknown; cardIds: string[] },
) {
  return db
    .updateTable('plugin_deliveries')
    .set((eb) => ({
      status: 'processed',
      outcome: r.outcome,
      summary: r.summary,
      results: JSON.stringify(r.results),
      card_ids: r.cardIds,
      error: null,
      retrying: false,
      attempts: eb('attempts', '+', 1),
      processed_at: new Date(),
    }))
    .where('id', '=', id)
    .execute();
}

export function markFailed(db: Q, id: string, error: string, retrying: boolean) {
  return db
    .updateTable('plugin_deliveries')
    .set((eb) => ({
      status: 'failed',
      error: error.slice(0, 4000),
      retrying,
      attempts: eb('attempts', '+', 1),
      processed_at: new Date(),
    }))
    .where('id', '=', id)
    .where('status', '<>', 'processed')
    .execute();
}

export function markQueued(db: Q, id: string) {
  return db
    .updateTable('plugin_deliveries')
    .set({ status: 'queued', retrying: false, error: null })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Deliveries acknowledged before `before` and not processed yet (a crashed server may have held
 * them), in arrival order, a page after the delivery `after`. Uses the partial index on queued rows.
 */
export function unfinishedDeliveries(
  db: Q,
  before: Date,
  after: string | null,
  limit: number,
): Promise<{ id: string; installation_id: string }[]> {
  return db
    .selectFrom('plugin_deliveries')
    .select(['id', 'installation_id'])
    .where('status', '=', 'queued')
    .where('received_at', '<', before)
    .$if(after !== null, (q) =>
      q.where(
        sql<boolean>`(received_at, id) > (select d.received_at, d.id from plugin_deliveries d where d.id = ${after})`,
      ),
    )
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export function deleteDeliveriesBefore(db: Q, before: Date) {
  return db.deleteFrom('plugin_deliveries').where('received_at', '<', before).executeTakeFirst();
}

// ---- Plugin tickets ---------------------------------------------------------------------------

/** Serialises every writer of one (board, plugin, dedup key) until the transaction ends. */
export async function lockTicketKey(
  db: Q,
  boardId: string,
  pluginId: string,
  dedupKey: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${boardId}|${pluginId}|${dedupKey}`}, 7412))`.execute(
    db,
  );
}

export function findTicket(db: Q, boardId: string, pluginId: string, dedupKey: string) {
  return db
    .selectFrom('plugin_tickets')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('plugin_id', '=', pluginId)
    .where('dedup_key', '=', dedupKey)
    .executeTakeFirst();
}

/** The plugin's ticket on the board's card `KEY-N` (found by its number, which is indexed), or undefined. */
export async function findTicketByCardKey(
  db: Q,
  boardId: string,
  pluginId: string,
  cardKey: string,
): Promise<{ ticket: PluginTicketRow; card: CardRow } | undefined> {
  const number = Number(/-(\d{1,9})$/.exec(cardKey)?.[1] ?? Number.NaN);
  if (!Number.isSafeInteger(number)) return undefined;
  const card = await db
    .selectFrom('cards')
    .selectAll()
    .where('board_id', '=', boardId)
    .where('number', '=', number)
    .where('key', '=', cardKey)
    .executeTakeFirst();
  if (!card) return undefined;
  const ticket = await db
    .selectFrom('plugin_tickets')
    .selectAll()
    .where('card_id', '=', card.id)
    .where('board_id', '=', boardId)
    .where('plugin_id', '=', pluginId)
    .executeTakeFirst();
  return ticket ? { ticket, card } : undefined;
}

export function findTicketByCard(db: Q, cardId: string): Promise<PluginTicketRow | undefined> {
  return db.selectFrom('plugin_tickets').selectAll().where('card_id', '=', cardId).executeTakeFirst();
}

export function insertTicket(
  db: Q,
  row: Omit<PluginTicketRow, 'id' | 'known_error'> & { known_error?: unknown },
): Promise<PluginTicketRow> {
  return db
    .insertInto('plugin_tickets')
    .values({ ...row, known_error: row.known_error === undefined ? null : JSON.stringify(row.known_error) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateTicket(
  db: Q,
  id: string,
  set: Partial<Omit<PluginTicketRow, 'id' | 'known_error'>> & { known_error?: unknown },
): Promise<PluginTicketRow> {
  const { known_error, ...rest } = set;
  return db
    .updateTable('plugin_tickets')
    .set({ ...rest, ...(known_error !== undefined ? { known_error: JSON.stringify(known_error) } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function occurrenceSeen(db: Q, ticketId: string, occurrenceKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('plugin_occurrences')
    .select('id')
    .where('ticket_id', '=', ticketId)
    .where('occurrence_key', '=', occurrenceKey)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertOccurrence(
  db: Q,
  row: {
    ticket_id: string;
    board_id: string;
    card_id: string;
    occurrence_key: string;
    kind: string;
    fingerprint: string | null;
    service: string | null;
    delivery_id: string | null;
    url: string | null;
    occurred_at: Date;
  },
): Promise<boolean> {
  const r = await db
    .insertInto('plugin_occurrences')
    .values(row)
    .onConflict((oc) => oc.columns(['ticket_id', 'occurrence_key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function countIncidents(
  db: Q,
  boardId: string,
  by: 'fingerprint' | 'service',
  value: string,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('plugin_occurrences')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('board_id', '=', boardId)
    .where('kind', '=', 'incident')
    .where(by, '=', value)
    .where('recorded_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function incidentCardsSince(
  db: Q,
  boardId: string,
  by: 'fingerprint' | 'service',
  value: string,
  since: Date,
): Promise<string[]> {
  const rows = await db
    .selectFrom('plugin_occurrences')
    .select('card_id')
    .distinct()
    .where('board_id', '=', boardId)
    .where('kind', '=', 'incident')
    .where(by, '=', value)
    .where('recorded_at', '>=', since)
    .execute();
  return rows.map((r) => r.card_id);
}

export function recentOccurrences(db: Q, ticketId: string, cardId: string, limit = 20) {
  return db
    .selectFrom('plugin_occurrences')
    .select(['occurred_at', 'url', 'delivery_id'])
    .where('ticket_id', '=', ticketId)
    .where('card_id', '=', cardId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function linksOf(db: Q, cardId: string) {
  const outgoing = await db
    .selectFrom('plugin_ticket_links as l')
    .innerJoin('cards as c', 'c.id', 'l.linked_card_id')
    .select(['c.id as cardId', 'c.key', 'c.title', 'l.kind'])
    .where('l.card_id', '=', cardId)
    .orderBy('l.created_at')
    .execute();
  const incoming = await db
    .selectFrom('plugin_ticket_links as l')
    .innerJoin('cards as c', 'c.id', 'l.card_id')
    .select(['c.id as cardId', 'c.key', 'c.title', 'l.kind'])
    .where('l.linked_card_id', '=', cardId)
    .orderBy('l.created_at')
    .execute();
  return [
    ...outgoing.map((l) => ({ ...l, direction: 'outgoing' as const })),
    ...incoming.map((l) => ({ ...l, direction: 'incoming' as const })),
  ];
}

// ---- Bulk statements for a batch of repeat occurrences (batch.ts) --------------------------------

export interface DeliveryWithInstallation {
  delivery: DeliveryRow;
  installation: InstallationRow;
}

/** Deliveries and their installations, for a batch of jobs: two round trips whatever the batch size. */
export async function loadDeliveries(db: Q, ids: string[]): Promise<DeliveryWithInstallation[]> {
  if (ids.length === 0) return [];
  const deliveries = await db.selectFrom('plugin_deliveries').selectAll().where('id', 'in', ids).execute();
  const installationIds = [...new Set(deliveries.map((d) => d.installation_id))];
  const installations = installationIds.length
    ? await db.selectFrom('plugin_installations').selectAll().where('id', 'in', installationIds).execute()
    : [];
  const byId = new Map(installations.map((i) => [i.id, i]));
  return deliveries.flatMap((delivery) => {
    const installation = byId.get(delivery.installation_id);
    return installation ? [{ delivery, installation }] : [];
  });
}

/** Advisory locks on many (plugin, key) pairs, taken in the order given (callers sort). */
export async function lockTicketKeys(db: Q, boardId: string, pluginKeys: string[]): Promise<void> {
  if (pluginKeys.length === 0) return;
  const full = pluginKeys.map((pk) => `${boardId}|${pk}`);
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 7412))
    from unnest(${full}::text[]) with ordinality as u(k, n) order by n`.execute(db);
}

export interface TicketWithCard {
  ticket: PluginTicketRow;
  doneAt: Date | null;
  source: Record<string, unknown> | null;
  cardKey: string;
}

/** Tickets for `plugin|key` pairs on a board, with their cards, both locked. */
export async function lockTicketsWithCards(
  db: Q,
  boardId: string,
  pluginKeys: string[],
): Promise<TicketWithCard[]> {
  if (pluginKeys.length === 0) return [];
  const { rows } = await sql<
    PluginTicketRow & { card_done_at: Date | null; card_source: unknown; card_key: string }
  >`
    select t.*, c.done_at as card_done_at, c.source as card_source, c.key as card_key
    from plugin_tickets t join cards c on c.id = t.card_id
    where t.board_id = ${boardId} and (t.plugin_id || '|' || t.dedup_key) = any(${pluginKeys}::text[])
    for update of t, c`.execute(db);
  return rows.map(({ card_done_at, card_source, card_key, ...ticket }) => ({
    ticket,
    doneAt: card_done_at,
    source: (card_source as Record<string, unknown> | null) ?? null,
    cardKey: card_key,
  }));
}

export async function insertOccurrences(
  db: Q,
  rows: Parameters<typeof insertOccurrence>[1][],
): Promise<{ ticket_id: string; occurrence_key: string }[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('plugin_occurrences')
    .values(rows)
    .onConflict((oc) => oc.columns(['ticket_id', 'occurrence_key']).doNothing())
    .returning(['ticket_id', 'occurrence_key'])
    .execute();
}

export async function updateTicketCounts(
  db: Q,
  rows: { id: string; occurrences: number; last_seen_at: string; last_url: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await sql`update plugin_tickets t
    set occurrences = v.occurrences, last_seen_at = v.last_seen_at, last_url = v.last_url, status = 'firing'
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as v(id uuid, occurrences int, last_seen_at timestamptz, last_url text)
    where t.id = v.id`.execute(db);
}

/** New `source` for many cards; each card's version goes up by one. Returns the updated rows. */
export async function updateCardSources(db: Q, rows: { id: string; source: unknown }[]): Promise<CardRow[]> {
  if (rows.length === 0) return [];
  const { rows: updated } = await sql<CardRow>`update cards c
    set source = v.source, version = c.version + 1, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, source jsonb)
    where c.id = v.id
    returning c.*`.execute(db);
  return updated;
}

/** Mark many deliveries processed; returns the ids that were not processed already. */
export async function markManyProcessed(
  db: Q,
  rows: { id: string; outcome: string; summary: string | null; results: unknown; card_ids: string[] }[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  const { rows: done } = await sql<{ id: string }>`update plugin_deliveries d
    set status = 'processed', outcome = v.outcome, summary = v.summary, results = v.results, card_ids = v.card_ids,
        error = null, retrying = false, attempts = d.attempts + 1, processed_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as v(id uuid, outcome text, summary text, results jsonb, card_ids uuid[])
    where d.id = v.id and d.status <> 'processed'
    returning d.id`.execute(db);
  return done.map((r) => r.id);
}
