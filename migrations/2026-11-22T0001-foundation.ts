/**
 * Foundation schema: accounts, boards with members, the one ranked backlog of cards, board columns
 * (sprint board and Kanban), sprints, comments, and the per-board event log that orders every change.
 * Frozen once landed: later changes go in a new dated file.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('boards')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    // Last sequence number handed out: every accepted change takes the next one, in commit order.
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('card_counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('board_members')
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('admin','product_owner','developer','maintenance','viewer')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('board_members_pk', ['board_id', 'user_id'])
    .execute();
  await db.schema.createIndex('board_members_user_idx').on('board_members').column('user_id').execute();

  // Columns of the development sprint board and of the maintenance Kanban board.
  await db.schema
    .createTable('board_columns')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('stream', 'text', (c) => c.notNull().check(sql`stream in ('development','maintenance')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('todo','in_progress','done')`))
    .addColumn('wip_limit', 'integer', (c) => c.check(sql`wip_limit is null or wip_limit > 0`))
    .addColumn('wip_policy', 'text', (c) =>
      c.notNull().defaultTo('hard').check(sql`wip_policy in ('hard','warn')`),
    )
    .addColumn('expedite_exempt', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('entry_policy', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('exit_policy', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .createIndex('board_columns_board_idx')
    .on('board_columns')
    .columns(['board_id', 'stream'])
    .execute();

  await db.schema
    .createTable('sprints')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('goal', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('planned','active','completed')`))
    .addColumn('capacity', 'numeric')
    .addColumn('start_date', 'date')
    .addColumn('end_date', 'date')
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('committed_points', 'numeric')
    .addColumn('completed_points', 'numeric')
    .addColumn('carry_over', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // At most one active sprint per board.
  await sql`create unique index sprints_one_active on sprints (board_id) where state = 'active'`.execute(db);

  await db.schema
    .createTable('cards')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull().defaultTo('development'))
    // Fractional key: byte order is the backlog order, so the column sorts with the C collation.
    .addColumn('rank', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('column_id', 'uuid', (c) => c.references('board_columns.id').onDelete('set null'))
    .addColumn('sprint_id', 'uuid', (c) => c.references('sprints.id').onDelete('set null'))
    .addColumn('estimate', 'numeric')
    .addColumn('class_of_service', 'text', (c) => c.notNull().defaultTo('standard'))
    .addColumn('priority', 'text', (c) => c.notNull().defaultTo('medium'))
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('labels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('blocked', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('blocked_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('due_date', 'date')
    .addColumn('source', 'jsonb')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('done_at', 'timestamptz')
    .execute();
  // Ranks are a strict total order per board: the database refuses a duplicate.
  await db.schema
    .createIndex('cards_board_rank_uq')
    .on('cards')
    .columns(['board_id', 'rank'])
    .unique()
    .execute();
  await db.schema
    .createIndex('cards_board_number_uq')
    .on('cards')
    .columns(['board_id', 'number'])
    .unique()
    .execute();
  await db.schema.createIndex('cards_column_idx').on('cards').column('column_id').execute();
  await db.schema.createIndex('cards_sprint_idx').on('cards').column('sprint_id').execute();

  await db.schema
    .createTable('card_comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('card_id', 'uuid', (c) => c.notNull().references('cards.id').onDelete('cascade'))
    .addColumn('author_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('card_comments_card_idx').on('card_comments').column('card_id').execute();

  // Every accepted change, in order. Drives live updates, catch-up after a reconnect, card history
  // and, later, timed transitions (hyper-care windows, releases) that hang off board events.
  await db.schema
    .createTable('board_events')
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('boards.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('card_id', 'uuid')
    .addColumn('actor_id', 'uuid')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('board_events_pk', ['board_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('board_events_card_idx')
    .on('board_events')
    .columns(['card_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'board_events',
    'card_comments',
    'cards',
    'sprints',
    'board_columns',
    'board_members',
    'boards',
    'api_tokens',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
