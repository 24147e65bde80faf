/**
 * Group commit for card moves. Every move on a board takes the board's next sequence number, so
 * moves on one board queue on the board's row, and each holds it until its commit reaches the disk
 * (docs/performance.md, "Group commit"). Here the moves that arrive for a board while its previous write is in flight go together in ONE statement and one
 * commit: an idle board's move is written at once (a group of one), a busy board's moves share a
 * flush. Nothing is held back on a timer.
 *
 * Each move keeps its own guard and its own outcome: a card no longer at the version its move read
 * is left alone and that move gets null (the caller reads again and retries), the others commit.
 * A group holds at most one move per card and per rank; a later move of the same card, or to the
 * same rank, waits for the next group. If the group's statement fails as a whole (say a move chose a
 * rank that a move of the previous group has just taken), nothing of it committed: it is split in
 * halves, and those are written as groups again, down to single moves, so that each move gets its own
 * answer and the others still share a commit.
 */
import type { BoardEvent } from '../../protocol/model.ts';
import type { Db } from '../infra/database.ts';
import { GroupCommit } from '../infra/group-commit.ts';
import { appendEvent, appendGuardedEvents, type BoardEventBus, type NewEvent } from '../sync/event-log.ts';
import { type MoveWrite, moveCard, moveCards } from './repo.ts';

/** Moves per statement at most: a bound on one statement's size, far above what a board sees. */
export const MAX_GROUP = 64;

interface Pending {
  write: MoveWrite;
  event: NewEvent;
  resolve(event: BoardEvent | null): void;
  reject(err: unknown): void;
}

export class MoveCommits {
  private readonly groups = new GroupCommit<Pending>(
    (boardId, group) => this.writeGroup(boardId, group),
    takeGroup,
    (items, err) => {
      for (const p of items) p.reject(err);
    },
  );

  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
    /** told the size of every group written (for the metrics) */
    private readonly onGroup: (size: number) => void = () => {},
  ) {}

  /**
   * Commits the move and its event (published on the bus after the commit). Null when the card was
   * no longer at `write.version`: then nothing was recorded.
   */
  commit(write: MoveWrite, event: NewEvent): Promise<BoardEvent | null> {
    return new Promise((resolve, reject) => {
      this.groups.add(event.boardId, { write, event, resolve, reject });
    });
  }

  private async writeGroup(boardId: string, group: Pending[]): Promise<void> {
    this.onGroup(group.length);
    if (group.length === 1) return this.writeOne(group[0]!);
    let events: BoardEvent[];
    try {
      events = await appendGuardedEvents(
        this.db,
        boardId,
        moveCards(
          boardId,
          group.map((p) => p.write),
        ),
        group.map((p) => p.event),
        this.bus.origin,
      );
    } catch {
      // Nothing of the group committed: halve it until the moves that fail are alone.
      const half = Math.ceil(group.length / 2);
      await this.writeGroup(boardId, group.slice(0, half));
      await this.writeGroup(boardId, group.slice(half));
      return;
    }
    const byCard = new Map(events.map((e) => [e.cardId, e]));
    for (const event of events) this.bus.publish(event);
    for (const p of group) p.resolve(byCard.get(p.write.id) ?? null);
  }

  private async writeOne(p: Pending) {
    try {
      const event = await appendEvent(this.db, p.event, this.bus.origin, moveCard(this.db, p.write));
      if (event) this.bus.publish(event);
      p.resolve(event);
    } catch (err) {
      p.reject(err);
    }
  }
}

/**
 * Takes the next group off the queue, in arrival order: at most MAX_GROUP moves, at most one per card
 * (one statement cannot update a row twice) and one per rank (two moves dropped between the same two
 * cards at once choose the same rank; the second must see the first's).
 */
export function takeGroup<T extends { write: { id: string; rank: string } }>(queue: T[]): T[] {
  const group: T[] = [];
  const cards = new Set<string>();
  const ranks = new Set<string>();
  const rest: T[] = [];
  for (const p of queue) {
    if (group.length < MAX_GROUP && !cards.has(p.write.id) && !ranks.has(p.write.rank)) {
      cards.add(p.write.id);
      ranks.add(p.write.rank);
      group.push(p);
    } else rest.push(p);
  }
  queue.splice(0, queue.length, ...rest);
  return group;
}
