/** Boards: create (with default columns for both streams), list, open (snapshot), members. */
import type { Board, Column, Member, Role, Snapshot, Sprint } from '../../protocol/model.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardRepo from '../cards/repo.ts';
import { firstFreeKey, keyFromName } from '../domain/board-key.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { ColumnRow, SprintRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as boardRepo from './repo.ts';

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

export function toColumn(r: ColumnRow): Column {
  return {
    id: r.id,
    stream: r.stream as Column['stream'],
    name: r.name,
    position: r.position,
    category: r.category as Column['category'],
    wipLimit: r.wip_limit,
    wipPolicy: r.wip_policy as Column['wipPolicy'],
    expediteExempt: r.expedite_exempt,
    entryPolicy: r.entry_policy,
    exitPolicy: r.exit_policy,
    version: r.version,
  };
}

const num = (v: string | null) => (v === null ? null : Number(v));
export function toSprint(r: SprintRow): Sprint {
  return {
    id: r.id,
    name: r.name,
    goal: r.goal,
    state: r.state as Sprint['state'],
    capacity: num(r.capacity),
    startDate: r.start_date,
    endDate: r.end_date,
    startedAt: r.started_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    committedPoints: num(r.committed_points),
    completedPoints: num(r.completed_points),
    carryOver: r.carry_over,
  };
}

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
      await trx
        .insertInto('board_members')
        .values({ board_id: b.id, user_id: actor.userId!, role: 'admin' })
        .execute();
      await trx
        .insertInto('board_columns')
        .values(DEFAULT_COLUMNS.map((c, i) => ({ ...c, board_id: b.id, position: i })))
        .execute();
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
    const rows = await this.db
      .selectFrom('boards as b')
      .leftJoin('board_members as m', (j) =>
        j.onRef('m.board_id', '=', 'b.id').on('m.user_id', '=', actor.userId),
      )
      .select(['b.id', 'b.name', 'b.key', 'b.seq', 'm.role'])
      .$if(!actor.isAdmin, (q) => q.where('m.role', 'is not', null))
      .orderBy('b.created_at')
      .execute();
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

  /** The same snapshot as JSON text, its cards serialised by PostgreSQL (the HTTP route; large boards). */
  async snapshotJson(actor: Actor, boardId: string): Promise<{ seq: number; json: string }> {
    const { cards, ...rest } = await this.read(actor, boardId, (trx) => cardRepo.listCardsJson(trx, boardId));
    return { seq: rest.seq, json: `${JSON.stringify(rest).slice(0, -1)},"cards":${cards}}` };
  }

  private async read<C>(actor: Actor, boardId: string, loadCards: (trx: Db) => Promise<C>) {
    const role = await requireBoardPermission(this.db, actor, boardId, 'board:read');
    // Repeatable read: cards, columns and the sequence number come from one snapshot of the database.
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const board = await trx
          .selectFrom('boards')
          .selectAll()
          .where('id', '=', boardId)
          .executeTakeFirstOrThrow();
        const [members, columns, sprints, cards] = await Promise.all([
          this.members(trx, boardId),
          trx
            .selectFrom('board_columns')
            .selectAll()
            .where('board_id', '=', boardId)
            .orderBy('position')
            .execute(),
          trx
            .selectFrom('sprints')
            .selectAll()
            .where('board_id', '=', boardId)
            .orderBy('created_at')
            .execute(),
          loadCards(trx),
        ]);
        return {
          board: { id: board.id, name: board.name, key: board.key, role, seq: Number(board.seq) },
          members,
          columns: columns.map(toColumn),
          sprints: sprints.map(toSprint),
          seq: Number(board.seq),
          cards,
        };
      });
  }

  private async members(db: Db, boardId: string): Promise<Member[]> {
    const rows = await db
      .selectFrom('board_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.name', 'u.email', 'm.role'])
      .where('m.board_id', '=', boardId)
      .orderBy('u.name')
      .execute();
    return rows.map((r) => ({ userId: r.id, name: r.name, email: r.email, role: r.role as Role }));
  }

  async listMembers(actor: Actor, boardId: string): Promise<Member[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    return this.members(this.db, boardId);
  }

  /** Adds a person by e-mail, or changes their role. */
  async setMember(actor: Actor, boardId: string, email: string, role: Role): Promise<Member> {
    await requireBoardPermission(this.db, actor, boardId, 'member:manage');
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
    if (!user) throw invalid('email', `no account with e-mail ${email}`);
    const member: Member = { userId: user.id, name: user.name, email: user.email, role };
    await commitWithEvents(this.db, this.bus, async (trx, record) => {
      await trx
        .insertInto('board_members')
        .values({ board_id: boardId, user_id: user.id, role })
        .onConflict((oc) => oc.columns(['board_id', 'user_id']).doUpdateSet({ role }))
        .execute();
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
      const row = await trx
        .deleteFrom('board_members')
        .where('board_id', '=', boardId)
        .where('user_id', '=', userId)
        .returning('user_id')
        .executeTakeFirst();
      if (row) await record({ boardId, type: 'member.removed', cardId: null, actor, payload: { userId } });
      return row;
    });
    if (!removed) throw notFound('member');
  }
}
