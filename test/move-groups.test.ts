/**
 * A busy board's moves, grouped, on real PostgreSQL: one statement reads the facts of many moves
 * (server/cards/move-reads.ts), and moves that wait for a board's write in flight commit together
 * (server/cards/move-commits.ts), each with its own guard and answer, the event log gapless and in
 * commit order.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card } from '../protocol/model.ts';
import { MoveCommits } from '../server/cards/move-commits.ts';
import { loadMoves, type MoveWrite } from '../server/cards/repo.ts';
import { BoardEventBus, type NewEventOf } from '../server/sync/event-log.ts';
import { eventually, holdBoardRow, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const actor = { userId: null, label: 'group-commit test', isAdmin: true };
/** An actor label that must survive the trip through a PostgreSQL array literal unchanged. */
const awkwardActor = { userId: null, label: 'O\'Brien "Bob" \\ {x,y} NULL ✓', isAdmin: true };

async function boardWithCards(n: number) {
  const boardId = (await server.admin.createBoard('Group commit')).id;
  const cards: Card[] = [];
  for (let i = 0; i < n; i++) cards.push(await server.admin.createCard(boardId, { title: `C${i}` }));
  return { boardId, cards };
}

/** A move of `card` to `rank` (read at `version`), and the event that records it. */
function moveTo(
  boardId: string,
  card: Card,
  rank: string,
  version = card.version,
): [MoveWrite, NewEventOf<'card.moved'>] {
  const write: MoveWrite = {
    id: card.id,
    version,
    rank,
    columnId: null,
    sprintId: null,
    stream: card.stream,
    startedAt: null,
    doneAt: null,
    updatedAt: new Date(),
  };
  const event: NewEventOf<'card.moved'> = {
    boardId,
    type: 'card.moved',
    cardId: card.id,
    actor,
    payload: {
      card: {
        id: card.id,
        version: version + 1,
        rank,
        columnId: null,
        sprintId: null,
        stream: card.stream,
        startedAt: null,
        doneAt: null,
        updatedAt: write.updatedAt.toISOString(),
      },
      from: { rank: card.rank, columnId: card.columnId, sprintId: card.sprintId, stream: card.stream },
    },
  };
  return [write, event];
}

/** Connections of this database waiting for a lock (the first move, on the held board row). */
async function waitersOnBoardLock() {
  const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
    where wait_event_type = 'Lock' and datname = current_database()`.execute(server.db);
  return Number(rows[0]!.n);
}

async function dbCard(id: string) {
  return server.db
    .selectFrom('cards')
    .select(['rank', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('one statement reads many moves', () => {
  it('answers each read as a statement of its own would, in request order', async () => {
    const { boardId, cards } = await boardWithCards(4);
    const [a, b, c, d] = cards as [Card, Card, Card, Card]; // backlog order a, b, c, d
    const member = await memberWithRole(server, boardId, 'developer');
    const sprint = await server.admin.ok(
      server.admin.post<{ id: string }>(`/api/boards/${boardId}/sprints`, { name: 'S1' }),
    );
    const columns = await server.db
      .selectFrom('board_columns')
      .select(['id', 'name'])
      .where('board_id', '=', boardId)
      .where('stream', '=', 'development')
      .orderBy('position')
      .execute();
    const todo = columns[0]!;
    const other = await boardWithCards(1);

    const rows = await loadMoves(server.db, boardId, [
      { cardId: a.id, userId: member.userId, afterId: c.id }, // between c and d
      { cardId: d.id, userId: null, beforeId: b.id }, // between a and b
      { cardId: b.id, userId: member.userId, columnId: todo.id, sprintId: sprint.id },
      { cardId: other.cards[0]!.id, userId: member.userId }, // a card of another board
      { cardId: c.id, userId: member.userId, afterId: d.id }, // after the last card
      { cardId: c.id, userId: member.userId, beforeId: other.cards[0]!.id }, // anchor not on this board
    ]);

    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({
      id: a.id,
      member_role: 'developer',
      anchor_rank: c.rank,
      neighbour_rank: d.rank,
    });
    expect(rows[0]!.target_column).toBeNull(); // keeps its column: none
    expect(rows[1]).toMatchObject({
      id: d.id,
      member_role: null,
      anchor_rank: b.rank,
      neighbour_rank: a.rank,
    });
    expect(rows[2]).toMatchObject({
      id: b.id,
      target_column: { id: todo.id, name: todo.name, stream: 'development' },
      target_sprint_state: 'planned',
      active_sprint_id: null,
      anchor_rank: null,
      neighbour_rank: null,
    });
    expect(rows[3]).toBeUndefined();
    expect(rows[4]).toMatchObject({ id: c.id, anchor_rank: d.rank, neighbour_rank: null });
    expect(rows[5]).toMatchObject({ id: c.id, anchor_rank: null, neighbour_rank: null });
  });
});

describe('moves waiting for a board write commit together', () => {
  it('in one statement: each keeps its guard, the stale one is left alone, and the numbers stay gapless', async () => {
    const { boardId, cards } = await boardWithCards(4);
    const groups: number[] = [];
    const bus = new BoardEventBus();
    const published: BoardEvent[] = [];
    bus.subscribe((e) => published.push(e));
    const commits = new MoveCommits(server.db, bus, (size) => groups.push(size));
    const [a, b, c, d] = cards as [Card, Card, Card, Card];

    const lock = await holdBoardRow(server, boardId);
    const first = commits.commit(...moveTo(boardId, a, 'zz1'));
    await eventually(async () => (await waitersOnBoardLock()) >= 1);
    const second = commits.commit(...moveTo(boardId, b, 'zz2'));
    const stale = commits.commit(...moveTo(boardId, c, 'zz3', c.version - 1));
    const [write4, event4] = moveTo(boardId, d, 'zz4');
    const fourth = commits.commit(write4, {
      ...event4,
      actor: awkwardActor,
      payload: { ...event4.payload, warning: 'a "quoted" \\ ✓' },
    });
    await lock.release();
    const [e1, e2, e3, e4] = await Promise.all([first, second, stale, fourth]);

    expect(groups).toEqual([1, 3]); // the blocked move alone, then the three that waited, together
    expect(e3).toBeNull();
    expect((await dbCard(c.id)).rank).toBe(c.rank); // the stale move changed nothing
    expect([e1, e2, e4].map((e) => e?.cardId)).toEqual([a.id, b.id, d.id]);
    const seqs = [e1, e2, e4].map((e) => e!.seq);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]); // arrival order, no gap for the stale one
    expect(published.map((e) => e.seq)).toEqual(seqs);
    for (const [card, rank] of [
      [a, 'zz1'],
      [b, 'zz2'],
      [d, 'zz4'],
    ] as const) {
      expect(await dbCard(card.id)).toEqual({ rank, version: card.version + 1 });
    }
    const log = await server.db
      .selectFrom('board_events')
      .select(['seq', 'card_id', 'actor_label', 'payload'])
      .where('board_id', '=', boardId)
      .where('seq', '>=', seqs[0]!)
      .orderBy('seq')
      .execute();
    expect(log.map((r) => [Number(r.seq), r.card_id])).toEqual([
      [seqs[0], a.id],
      [seqs[0]! + 1, b.id],
      [seqs[0]! + 2, d.id],
    ]);
    // Quotes, backslashes, braces and the word NULL travel through the array parameters intact.
    expect(log[2]).toMatchObject({
      actor_label: awkwardActor.label,
      payload: { warning: 'a "quoted" \\ ✓' },
    });
    expect(e4).toMatchObject({ actor: { label: awkwardActor.label } });
  });

  it('split when the statement fails: a move to a rank already taken fails alone, the others commit', async () => {
    const { boardId, cards } = await boardWithCards(5);
    const groups: number[] = [];
    const commits = new MoveCommits(server.db, new BoardEventBus(), (size) => groups.push(size));
    const [a, b, c, d, taken] = cards as [Card, Card, Card, Card, Card];

    const lock = await holdBoardRow(server, boardId);
    const first = commits.commit(...moveTo(boardId, a, 'zy1'));
    await eventually(async () => (await waitersOnBoardLock()) >= 1);
    const others = [
      commits.commit(...moveTo(boardId, b, 'zy2')),
      commits.commit(...moveTo(boardId, c, taken.rank)), // another card holds this rank
      commits.commit(...moveTo(boardId, d, 'zy4')),
    ];
    // Watched before the lock goes: the refused move may fail before `release()` returns, and a
    // rejection nobody listens to yet is reported as unhandled.
    const answers = Promise.allSettled([first, ...others]);
    await lock.release();
    const settled = await answers;

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    // 1, then the group of 3 (fails), its halves [b, c] (fails) and [d], then b and c alone.
    expect(groups).toEqual([1, 3, 2, 1, 1, 1]);
    expect((await dbCard(b.id)).rank).toBe('zy2');
    expect((await dbCard(d.id)).rank).toBe('zy4');
    expect(await dbCard(c.id)).toEqual({ rank: c.rank, version: c.version });
  });

  it('through the service: 60 concurrent moves on one board all land, in groups, with a gapless log', async () => {
    const { boardId, cards } = await boardWithCards(61);
    const [top, ...movers] = cards as [Card, ...Card[]];
    const before = await server.db
      .selectFrom('boards')
      .select('seq')
      .where('id', '=', boardId)
      .executeTakeFirstOrThrow();
    const seen: number[] = [];
    const stop = server.app.bus.subscribe((e) => e.boardId === boardId && seen.push(e.seq));
    const groupsBefore = (await server.app.metrics.moveGroups.get()).values;
    // Every card moves to the top of the backlog at once: each move is planned against the same
    // top card, so many choose the same rank and have to be retried; all must land.
    const results = await Promise.all(
      movers.map((card) => server.app.services.cards.move(actor, boardId, card.id, { beforeId: top.id })),
    );
    stop();
    // Each landed just above the top card as it then was: the backlog reads in commit order.
    const order = (await server.admin.cards(boardId)).map((c) => c.id);
    const committed = [...results].sort((x, y) => x.event.seq - y.event.seq).map((r) => r.card.id);
    expect(order).toEqual([...committed, top.id]);
    const log = await server.db
      .selectFrom('board_events')
      .select('seq')
      .where('board_id', '=', boardId)
      .where('seq', '>', Number(before.seq))
      .orderBy('seq')
      .execute();
    const seqs = log.map((r) => Number(r.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => Number(before.seq) + 1 + i));
    expect(seqs.length).toBe(results.length);
    expect([...seen].sort((x, y) => x - y)).toEqual(seqs);
    const ranks = (await server.admin.cards(boardId)).map((c) => c.rank);
    expect(new Set(ranks).size).toBe(ranks.length);
    const groups = (await server.app.metrics.moveGroups.get()).values;
    const count = (vs: typeof groups) =>
      vs.find((v) => v.metricName === 'blendboard_move_group_size_count')?.value ?? 0;
    const sum = (vs: typeof groups) =>
      vs.find((v) => v.metricName === 'blendboard_move_group_size_sum')?.value ?? 0;
    // more moves written than statements used: some moves shared a commit
    expect(sum(groups) - sum(groupsBefore)).toBeGreaterThan(count(groups) - count(groupsBefore));
  });

  it('a move that keeps losing its spot ends in a clear 409, not a database error', async () => {
    const { boardId, cards } = await boardWithCards(2);
    const [a, b] = cards as [Card, Card];
    // Every write of card a collides on the rank constraint, as if others always took its spot first.
    await sql`create function always_taken() returns trigger language plpgsql as $$
      begin
        raise unique_violation using constraint = 'cards_board_rank_uq', message = 'spot taken';
      end $$`.execute(server.db);
    await sql
      .raw(`create trigger always_taken before update on cards for each row
      when (old.id = '${a.id}') execute function always_taken()`)
      .execute(server.db);
    try {
      const res = await server.admin.post<{ error: string; message: string }>(
        `/api/boards/${boardId}/cards/${a.id}/move`,
        { afterId: b.id },
      );
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ error: 'CONFLICT', message: expect.stringMatching(/that spot/) });
      expect(await dbCard(a.id)).toEqual({ rank: a.rank, version: a.version });
    } finally {
      await sql`drop trigger always_taken on cards`.execute(server.db);
      await sql`drop function always_taken()`.execute(server.db);
    }
  });
});
