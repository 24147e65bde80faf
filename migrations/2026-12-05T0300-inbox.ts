/**
 * The in-app inbox (issue 19): each person's notifications, who watches which card, and how far the
 * inbox has followed each board's event log. The inbox is derived from committed board events after
 * the commit; `inbox_cursors.seq` is the last event of the board it has derived from, advanced in the
 * same transaction as the rows it wrote, so a restart resumes there and no event is told twice.
 * Frozen once landed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table inbox_cursors (
      board_id uuid primary key references boards(id) on delete cascade,
      seq bigint not null,
      updated_at timestamptz not null default now()
    )`.execute(db);
  // Boards that exist now start from their present: their past is not news.
  await sql`insert into inbox_cursors (board_id, seq) select id, seq from boards`.execute(db);

  // `seq`: the board sequence at which this person's choice was made. A later event may watch them
  // again (they comment, are assigned); an earlier one still being followed may not undo the choice.
  await sql`
    create table card_watchers (
      card_id uuid not null references cards(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      watching boolean not null,
      seq bigint not null,
      primary key (card_id, user_id)
    )`.execute(db);
  await sql`create index card_watchers_user_idx on card_watchers (user_id)`.execute(db);

  await sql`create sequence inbox_touch_seq`.execute(db);
  await sql`
    create table inbox_notifications (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      board_id uuid not null references boards(id) on delete cascade,
      card_id uuid not null references cards(id) on delete cascade,
      kind text not null,
      event_seq bigint not null,
      actor_id uuid references users(id) on delete set null,
      actor_label text not null,
      summary text not null,
      changes integer not null default 1,
      happened_at timestamptz not null,
      touched bigint not null default nextval('inbox_touch_seq'),
      read_at timestamptz
    )`.execute(db);
  // One row per person, card and event: the event a row tells of last is its key (a bulk move is
  // one event about several cards).
  await sql`
    create unique index inbox_notifications_event_uq
    on inbox_notifications (user_id, card_id, event_seq)`.execute(db);
  // Changes to a watched card gather in one unread row per person and card.
  await sql`
    create unique index inbox_notifications_watching_uq
    on inbox_notifications (user_id, card_id) where kind = 'watching' and read_at is null`.execute(db);
  await sql`create index inbox_notifications_list_idx on inbox_notifications (user_id, touched desc)`.execute(
    db,
  );
  await sql`
    create index inbox_notifications_unread_idx
    on inbox_notifications (user_id, touched desc) where read_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table inbox_notifications, card_watchers, inbox_cursors`.execute(db);
  await sql`drop sequence inbox_touch_seq`.execute(db);
}
