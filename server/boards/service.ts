/** Boards: create (with default columns for both streams), list, open (snapshot), members. */
import {
  FIRST_BACKLOG_CARDS,
  FIRST_COLUMN_CARDS,
  FIRST_UP_NEXT_CARDS,
  type FirstScreen,
  type FirstScreenView,
} from '../../protocol/first-screen.ts';
import type { Board, BoardEvent, Member, Role, Snapshot } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as authRepo from '../auth/repo.ts';
import * as cardRepo from '../cards/repo.ts';
import * as columnRepo from '../columns/repo.ts';
import { firstFreeKey, keyFromName } from '../domain/board-key.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { CardRow } from '../infra/schema.ts';
import * as sprintRepo from '../sprints/repo.ts';
import { type BoardEventBus, commitWithEvents, eventsSince } from '../sync/event-log.ts';
import * as boardRepo from './repo.ts';

/** The cards of a view's first screen, each once, in rank order; a bounded read whatever the board's size. */
async function firstScreenCards(db: Db, boardId: string, view: FirstScreenView): Promise<CardRow[]> {
  let rows: CardRow[];
  if (view === 'kanban') {
    const [inColumns, upNext] = await Promise.all([
      cardRepo.firstCardsOfColumns(db, boardId, 'maintenance', FIRST_COLUMN_CARDS, null),
      cardRepo.firstUpNextCards(db, boardId, FIRST_UP_NEXT_CARDS),
    ]);
    rows = [...inColumns, ...upNext];
  } else if (view === 'sprint') {
    const active = await sprintRepo.findActiveSprint(db, boardId);
    rows = active
      ? await cardRepo.firstCardsOfColumns(db, boardId, 'development', FIRST_COLUMN_CARDS, active.id)
      : [];
  } else {
    rows = await cardRepo.firstCardsByRank(db, boardId, FIRST_BACKLOG_CARDS);
  }
  const once = new Map(rows.map((r) => [r.id, r]));
  // Ranks compare in byte order (the column's "C" collation), as JavaScript compares these strings.
  return [...once.values()].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
}

/** A new board starts with a sprint board for development and a WIP-limited Kanban for maintenance. */
const DEFAULT_COLUMNS = [
  { stream: 'development', name: 'To do', category: 'todo', wip_limit: null },
  { stream: 'development', name: 'In progress', category: 'in_progress', wip_limit: null },
  { stream: 'development', name: 'Review', category: 'in_progress', wip_limit: null },
  { stream: 'development', name: 'Done', category: 'done', wip_limit: null },
  { stream: 'maintenance', name: 'Ready', category: 'todo', wip_limit: null },
  { stream: 'maintenance', name: 'In progress', category: 'in_progress', wip_limit: 3 },
  { stream: 'maintenance', name: 'Verify', category: 'in_progress', wip_limit: 2 },
  { stream: 'maintenance', name: 'Done', category: 'done', wip_limit: null },
] as const;

export class BoardService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async create(actor: Actor, input: { name: string; key?: string }): Promise<Board> {
    if (!actor.userId) throw new AppError('FORBIDDEN', 'only a person can create a board');
    const name = input.name.trim();
    if (!name) throw invalid('name', 'must not be blank');
    const board = await this.db.transaction().execute(async (trx) => {
      const b = await this.insertUnderFreeKey(trx, name, input.key, actor.userId!);
      await boardRepo.addMember(trx, b.id, actor.userId!, 'admin');
      await columnRepo.insertColumns(
        trx,
        DEFAULT_COLUMNS.map((c, i) => ({ ...c, board_id: b.id, position: i })),
      );
      return b;
    });
    return { id: board.id, name: board.name, key: board.key, role: 'admin', seq: Number(board.seq) };
  }

  /**
   * A key the creator chose is theirs or a 409 naming `key`; a key derived from the name takes the
   * first free one of KEY, KEY2, KEY3 ... The unique index decides races, not the read before.
   */
  private async insertUnderFreeKey(trx: Db, name: string, chosen: string | undefined, createdBy: string) {
    if (chosen !== undefined) {
      const key = chosen.toUpperCase();
      const b = await boardRepo.insertBoard(trx, { name, key, createdBy });
      if (!b)
        throw new AppError('CONFLICT', `key: another board already has the key ${key}`, { field: 'key' });
      return b;
    }
    const base = keyFromName(name);
    const taken = await boardRepo.keysStartingWith(trx, base);
    for (;;) {
      const key = firstFreeKey(base, taken);
      const b = await boardRepo.insertBoard(trx, { name, key, createdBy });
      if (b) return b;
      taken.add(key.toLowerCase()); // another board took it meanwhile: try the next one
    }
  }

  async list(actor: Actor): Promise<Board[]> {
    const rows = await boardRepo.listBoards(this.db, actor.userId, actor.isAdmin);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      key: r.key,
      seq: Number(r.seq),
      role: (actor.isAdmin ? 'admin' : r.role) as Role,
    }));
  }

  /** Everything a client needs to draw the board, consistent at one sequence number. */
  async snapshot(actor: Actor, boardId: string): Promise<Snapshot> {
    return this.read(actor, boardId, async (trx) =>
      (await cardRepo.listCards(trx, boardId)).map(cardRepo.toCard),
    );
  }

  /**
   * What a board's opened text depends on: the reader's role, the board's sequence number, and its
   * members' names (`tag`; a rename changes it without a board event).
   */
  async snapshotVersion(actor: Actor, boardId: string): Promise<{ role: Role; seq: number; tag: string }> {
    const role = await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const { seq, members } = await boardRepo.snapshotStamp(this.db, boardId);
    return { role, seq, tag: members };
  }

  /** The same snapshot as JSON text, its cards serialised by PostgreSQL (the HTTP route; large boards). */
  async snapshotJson(actor: Actor, boardId: string): Promise<{ seq: number; json: string }> {
    const { cards, ...rest } = await this.read(actor, boardId, (trx) => cardRepo.listCardsJson(trx, boardId));
    return { seq: rest.seq, json: `${JSON.stringify(rest).slice(0, -1)},"cards":${cards}}` };
  }

  /**
   * The first answer of an opening: the board, its members, columns and sprints, and only the cards
   * the first screen of `view` shows (firstScreenCards), with the board's total, at one sequence
   * number. The rest comes from `snapshotJson`; the client merges it in.
   */
  async firstScreenJson(
    actor: Actor,
    boardId: string,
    view: FirstScreenView,
  ): Promise<{ seq: number; json: string }> {
    const { cards, ...rest } = await this.read(actor, boardId, async (trx) => {
      const [shown, total] = await Promise.all([
        firstScreenCards(trx, boardId, view),
        cardRepo.countCards(trx, boardId),
      ]);
      return { shown, total };
    });
    const first: FirstScreen = {
      ...rest,
      view,
      cards: cards.shown.map(cardRepo.toCard),
      totals: { cards: cards.total },
      complete: cards.shown.length === cards.total,
    };
    return { seq: rest.seq, json: JSON.stringify(first) };
  }

  private async read<C>(actor: Actor, boardId: string, loadCards: (trx: Db) => Promise<C>) {
    const role = await requireBoardPermission(this.db, actor, boardId, 'board:read');
    // Repeatable read: cards, columns and the sequence number come from one snapshot of the database.
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const board = await boardRepo.getBoard(trx, boardId);
        const [members, columns, sprints, cards] = await Promise.all([
          this.members(trx, boardId),
          columnRepo.boardColumns(trx, boardId),
          sprintRepo.listSprints(trx, boardId),
          loadCards(trx),
        ]);
        return {
          board: { id: board.id, name: board.name, key: board.key, role, seq: Number(board.seq) },
          members,
          columns: columns.map(columnRepo.toColumn),
          sprints: sprints.map(sprintRepo.toSprint),
          seq: Number(board.seq),
          cards,
        };
      });
  }

  private async members(db: Db, boardId: string): Promise<Member[]> {
    const rows = await boardRepo.listMembers(db, boardId);
    return rows.map((r) => ({ userId: r.id, name: r.name, email: r.email, role: r.role as Role }));
  }

  /** The board's events after sequence number `after`, for a client catching up. */
  async eventsSince(actor: Actor, boardId: string, after: number, limit: number): Promise<BoardEvent[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return eventsSince(this.db, boardId, after, limit);
  }

  async listMembers(actor: Actor, boardId: string): Promise<Member[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.members(this.db, boardId);
  }

  /** Adds a person by e-mail, or changes their role. */
  async setMember(actor: Actor, boardId: string, email: string, role: Role): Promise<Member> {
    await requireBoardPermission(this.db, actor, boardId, 'member:manage');
    const user = await authRepo.findUserByEmail(this.db, email);
    if (!user) throw invalid('email', `no account with e-mail ${email}`);
    const member: Member = { userId: user.id, name: user.name, email: user.email, role };
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      await boardRepo.upsertMember(trx, boardId, user.id, role);
      await record({ boardId, type: 'member.set', cardId: null, actor, payload: { member } });
    });
    return member;
  }

  /**
   * Takes a person off the board. The `member.removed` event is also what makes every server
   * instance take that person's sockets out of the board's room (realtime.ts).
   */
  async removeMember(actor: Actor, boardId: string, userId: string): Promise<void> {
    await requireBoardPermission(this.db, actor, boardId, 'member:manage');
    const removed = await commitWithEvents(this.db, this.bus, async (trx, record) => {
      const row = await boardRepo.deleteMember(trx, boardId, userId);
      if (row) await record({ boardId, type: 'member.removed', cardId: null, actor, payload: { userId } });
      return row;
    });
    if (!removed) throw notFound('member');
  }
}
