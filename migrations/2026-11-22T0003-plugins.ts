/**
 * Plugins: installations of a plugin on a board (config + inbound secret), the durable log of every
 * inbound webhook delivery, and the tickets plugins raise (one tracker per dedup key, each
 * occurrence, and links between tickets such as problem → incidents).
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plugin_installations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    // Kept readable: HMAC verification needs the shared secret itself, not a hash of it.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('secret_rotated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('plugin_installations_board_idx')
    .on('plugin_installations')
    .column('board_id')
    .execute();

  // Every inbound request to /hooks/<installation>, stored before it is acknowledged.
  await db.schema
    .createTable('plugin_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('installation_id', 'uuid', (c) =>
      c.notNull().references('plugin_installations.id').onDelete('cascade'),
    )
    .addColumn('webhook', 'text', (c) => c.notNull())
    // The tool's delivery id (or a hash of the body); null for refused requests.
    .addColumn('delivery_key', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('verification', 'text', (c) =>
      c.notNull().check(sql`verification in ('passed','failed','not_checked')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued','processed','failed','rejected')`),
    )
    .addColumn('outcome', 'text')
    .addColumn('http_status', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('summary', 'text')
    .addColumn('content_type', 'text')
    .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('body', 'bytea')
    .addColumn('body_bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retrying', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('duplicates', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('results', 'jsonb')
    .addColumn('card_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('processed_at', 'timestamptz')
    .execute();
  // The same delivery id twice is one delivery.
  await db.schema
    .createIndex('plugin_deliveries_key_uq')
    .on('plugin_deliveries')
    .columns(['installation_id', 'delivery_key'])
    .unique()
    .execute();
  await sql`create index plugin_deliveries_log_idx on plugin_deliveries (installation_id, received_at desc, id desc)`.execute(
    db,
  );
  await sql`create index plugin_deliveries_received_idx on plugin_deliveries (received_at)`.execute(db);

  // One row per (board, plugin, dedup key): the ticket a repeated signal updates instead of duplicating.
  await db.schema
    .createTable('plugin_tickets')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('plugin_id', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('card_id', 'uuid', (c) => c.notNull().references('cards.id').onDelete('cascade'))
    .addColumn('installation_id', 'uuid', (c) => c.references('plugin_installations.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('firing','recovered')`))
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_url', 'text')
    .addColumn('fingerprint', 'text')
    .addColumn('service', 'text')
    .addColumn('known_error', 'jsonb')
    .execute();
  await db.schema
    .createIndex('plugin_tickets_key_uq')
    .on('plugin_tickets')
    .columns(['board_id', 'plugin_id', 'dedup_key'])
    .unique()
    .execute();
  await db.schema.createIndex('plugin_tickets_card_idx').on('plugin_tickets').column('card_id').execute();

  await db.schema
    .createTable('plugin_occurrences')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('plugin_tickets.id').onDelete('cascade'))
    .addColumn('board_id', 'uuid', (c) => c.notNull())
    .addColumn('card_id', 'uuid', (c) => c.notNull())
    // The source's id for this occurrence (run id, alert start) or the delivery id: counted once.
    .addColumn('occurrence_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text')
    .addColumn('service', 'text')
    .addColumn('delivery_id', 'uuid', (c) => c.references('plugin_deliveries.id').onDelete('set null'))
    .addColumn('url', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('plugin_occurrences_key_uq')
    .on('plugin_occurrences')
    .columns(['ticket_id', 'occurrence_key'])
    .unique()
    .execute();
  // The recurring-incident rule counts recent incidents by fingerprint or by service.
  await sql`create index plugin_occurrences_fingerprint_idx on plugin_occurrences (board_id, fingerprint, recorded_at) where kind = 'incident'`.execute(
    db,
  );
  await sql`create index plugin_occurrences_service_idx on plugin_occurrences (board_id, service, recorded_at) where kind = 'incident'`.execute(
    db,
  );

  await db.schema
    .createTable('plugin_ticket_links')
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('card_id', 'uuid', (c) => c.notNull().references('cards.id').onDelete('cascade'))
    .addColumn('linked_card_id', 'uuid', (c) => c.notNull().references('cards.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('plugin_ticket_links_pk', ['card_id', 'linked_card_id', 'kind'])
    .execute();
  await db.schema
    .createIndex('plugin_ticket_links_linked_idx')
    .on('plugin_ticket_links')
    .column('linked_card_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'plugin_ticket_links',
    'plugin_occurrences',
    'plugin_tickets',
    'plugin_deliveries',
    'plugin_installations',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
