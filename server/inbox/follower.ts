/**
 * Derives the inbox from the board event log, after the commit. Each board has a cursor (the last
 * event derived from); a step locks it, reads the next events, decides with the pure rule
 * (domain/inbox.ts), writes watchers and notifications and moves the cursor on, in one transaction:
 * a crash before the commit leaves nothing, and after it the cursor says so, so a restart resumes
 * where it stopped and no event is told twice. Two instances following one board queue on the
 * cursor's row lock, and the second reads on from where the first stopped.
 *
 * Events committed on this instance start a board's follow at once (the bus). A sweep at start and
 * then every `sweepMs` follows every board that is behind: events another instance committed and
 * did not follow (it stopped), or committed while this one was down.
 *
 * The cost is linear in the events: per batch, a handful of queries over the batch's cards and the
 * people it names; never a scan of all users.
 */
import type { BoardEvent } from '../../protocol/events.ts';
import { cardsOf, type InboxFacts, inboxOutcome, namedIn } from '../domain/inbox.ts';
import type { Db } from '../infra/database.ts';
import { type BoardEventBus, eventsSince } from '../sync/event-log.ts';
import * as repo from './repo.ts';

const BATCH = 200;

export interface InboxFollowerDeps {
  db: Db;
  bus: BoardEventBus;
  /** the people whose inbox changed, after the commit (their bell is told) */
  onChanged(userIds: string[]): void;
  log: (err: unknown, what: string) => void;
  sweepMs?: number;
  /** tests: runs inside a step's transaction after its rows are written, before the cursor moves */
  beforeAdvance?: () => Promise<void>;
}

export class InboxFollower {
  /** boards being followed now on this instance, each with whether more came meanwhile */
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InboxFollowerDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe((event) => void this.follow(event.boardId));
    this.timer = setInterval(() => void this.catchUp(), this.deps.sweepMs ?? 15_000);
    this.timer.unref();
    void this.catchUp();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Follows every board that is behind, and resolves once they are all caught up. */
  async catchUp(): Promise<void> {
    try {
      const boards = await repo.boardsBehind(this.deps.db, 1000);
      await Promise.all(boards.map((b) => this.follow(b)));
    } catch (err) {
      this.deps.log(err, 'inbox catch-up');
    }
  }

  /** Follows the board up to its last event; a call while it runs makes it go round once more. */
  follow(boardId: string): Promise<void> {
    const current = this.running.get(boardId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        while (entry.again) {
          entry.again = false;
          while ((await this.step(boardId)) > 0);
        }
      } catch (err) {
        this.deps.log(err, 'inbox follow');
      } finally {
        this.running.delete(boardId);
      }
    })();
    this.running.set(boardId, entry);
    return entry.done;
  }

  /** One batch of the board's events, in one transaction; how many events it took. */
  private async step(boardId: string): Promise<number> {
    const told = new Set<string>();
    const taken = await this.deps.db.transaction().execute(async (trx) => {
      const cursor = await repo.lockCursor(trx, boardId);
      if (cursor === null) return 0; // the board is gone
      const events = await eventsSince(trx, boardId, cursor, BATCH);
      if (events.length === 0) return 0;

      const cardIds = [...new Set(events.flatMap(cardsOf))];
      const releaseIds = events.flatMap((e) =>
        e.type === 'hypercare.incident' ? [e.payload.incident.releaseId] : [],
      );
      const columnIds = events.flatMap((e) =>
        e.type === 'card.moved' && e.payload.card.columnId ? [e.payload.card.columnId] : [],
      );
      const [assignees, watcherRows, owners, columns] = await Promise.all([
        repo.assignees(trx, cardIds),
        repo.watchersOf(trx, cardIds),
        repo.releaseOwners(trx, releaseIds),
        repo.columnNames(trx, [...new Set(columnIds)]),
      ]);
      const watchers = new Map<string, Set<string>>();
      for (const w of watcherRows)
        watchers.set(w.card_id, (watchers.get(w.card_id) ?? new Set()).add(w.user_id));
      const people = new Set<string>([
        ...events.flatMap((e) => [...namedIn(e), ...(e.actor.id ? [e.actor.id] : [])]),
        ...watcherRows.map((w) => w.user_id),
        ...[...assignees.values(), ...owners.values()].filter((id): id is string => id !== null),
      ]);
      const readers = await repo.readersAmong(trx, boardId, [...people]);
      const facts: InboxFacts = {
        watchersOf: (cardId) => watchers.get(cardId) ?? new Set(),
        mayRead: (userId) => readers.has(userId),
        assigneeOf: (cardId) => assignees.get(cardId) ?? null,
        releaseOwnerOf: (releaseId) => owners.get(releaseId) ?? null,
        columnName: (columnId) => columns.get(columnId) ?? null,
      };

      const rows: repo.NewInboxRow[] = [];
      const watches: { card_id: string; user_id: string; seq: number }[] = [];
      for (const event of events) {
        const outcome = inboxOutcome(event, facts);
        // Cards deleted since are left out: their notifications went with them.
        for (const n of outcome.notices)
          if (assignees.has(n.cardId)) rows.push(rowOf(event, n.userId, n.cardId, n.kind, n.summary));
        for (const w of outcome.watch) {
          if (!assignees.has(w.cardId)) continue;
          watches.push({ card_id: w.cardId, user_id: w.userId, seq: event.seq });
          // later events of the batch see the new watcher
          watchers.set(w.cardId, (watchers.get(w.cardId) ?? new Set()).add(w.userId));
        }
      }
      await repo.autoWatch(
        trx,
        latestPerKey(watches, (w) => `${w.card_id}:${w.user_id}`),
      );
      await repo.writeNotifications(trx, foldWatching(rows));
      for (const r of rows) told.add(r.user_id);
      await this.deps.beforeAdvance?.();
      await repo.advanceCursor(trx, boardId, events[events.length - 1]!.seq);
      return events.length;
    });
    if (told.size > 0) this.deps.onChanged([...told]);
    return taken;
  }
}

function rowOf(
  event: BoardEvent,
  userId: string,
  cardId: string,
  kind: string,
  summary: string,
): repo.NewInboxRow {
  return {
    user_id: userId,
    board_id: event.boardId,
    card_id: cardId,
    kind,
    event_seq: event.seq,
    actor_id: event.actor.id,
    actor_label: event.actor.label,
    summary,
    changes: 1,
    happened_at: event.at,
  };
}

/** A batch's watching rows for one person and card become one (the latest, counting them all). */
function foldWatching(rows: repo.NewInboxRow[]): repo.NewInboxRow[] {
  const direct = rows.filter((r) => r.kind !== 'watching');
  const folded = new Map<string, repo.NewInboxRow>();
  for (const r of rows) {
    if (r.kind !== 'watching') continue;
    const key = `${r.user_id}:${r.card_id}`;
    const had = folded.get(key);
    folded.set(key, had ? { ...r, changes: had.changes + r.changes } : r);
  }
  return [...direct, ...folded.values()];
}

function latestPerKey<T extends { seq: number }>(items: T[], key: (t: T) => string): T[] {
  const out = new Map<string, T>();
  for (const t of items) out.set(key(t), t);
  return [...out.values()];
}
