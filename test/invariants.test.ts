/**
 * Invariants under concurrency, proven by racing real requests against real PostgreSQL:
 * a hard WIP limit is never exceeded; ranks stay a strict total order and every client converges
 * to the database's order; two server instances on one database serve one board together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Card, Column, Snapshot } from '../protocol/model.ts';
import type { JoinAck } from '../protocol/socket.ts';
import {
  ADMIN_PASSWORD,
  ApiClient,
  type ClientSocket,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('a hard WIP limit under a race', () => {
  it('with one free slot and 24 concurrent moves into the column, exactly one succeeds', async () => {
    const boardId = (await server.admin.createBoard('Race WIP')).id;
    const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    const doing = snap.columns.find((c) => c.stream === 'maintenance' && c.name === 'In progress')!;
    await server.admin.ok(
      server.admin.patch<Column>(`/api/boards/${boardId}/columns/${doing.id}`, {
        version: doing.version,
        wipLimit: 3,
        wipPolicy: 'hard',
      }),
    );
    const engineers = await Promise.all(
      [0, 1, 2, 3].map(() => memberWithRole(server, boardId, 'maintenance')),
    );
    const cards: Card[] = [];
    for (let i = 0; i < 26; i++)
      cards.push(
        await server.admin.createCard(boardId, { title: `T${i}`, type: 'incident', stream: 'maintenance' }),
      );
    for (const c of cards.slice(0, 2))
      await server.admin.ok(
        server.admin.post(`/api/boards/${boardId}/cards/${c.id}/move`, { columnId: doing.id }),
      );

    const racers = cards.slice(2);
    const results = await Promise.all(
      racers.map((c, i) =>
        engineers[i % engineers.length]!.post<{ error?: string }>(
          `/api/boards/${boardId}/cards/${c.id}/move`,
          { columnId: doing.id },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error === 'WIP_LIMIT_REACHED')).toHaveLength(
      racers.length - 1,
    );
    const inColumn = (await server.admin.cards(boardId)).filter((c) => c.columnId === doing.id);
    expect(inColumn).toHaveLength(3);
  });
});

/**
 * A client applying board events the way the web app does: events may arrive out of sequence order
 * (concurrent commits publish in any order), so they are held until contiguous, then applied in
 * order: upsert cards by id (a move's placement merged onto the card held), order by rank.
 */
function replica(initial: Card[], fromSeq: number) {
  const cards = new Map(initial.map((c) => [c.id, c]));
  const ahead = new Map<number, BoardEvent>();
  let lastSeq = fromSeq;
  return {
    receive(e: BoardEvent) {
      if (e.seq > lastSeq) ahead.set(e.seq, e);
      for (let next = ahead.get(lastSeq + 1); next; next = ahead.get(lastSeq + 1)) {
        ahead.delete(next.seq);
        lastSeq = next.seq;
        const { payload } = next;
        // A move carries only the card's new place: merge onto the card held, as the web app does.
        for (const c of 'card' in payload ? [payload.card] : 'cards' in payload ? payload.cards : [])
          cards.set(c.id, { ...cards.get(c.id)!, ...c });
        if (next.type === 'card.deleted') cards.delete(next.cardId!);
      }
    },
    order: () => [...cards.values()].sort((a, b) => (a.rank < b.rank ? -1 : 1)).map((c) => c.id),
    get seq() {
      return lastSeq;
    },
  };
}

describe('ranks under a race', () => {
  it('stay a strict total order after many concurrent re-ranks, and every client converges to the database order', async () => {
    const boardId = (await server.admin.createBoard('Race ranks')).id;
    const cards: Card[] = [];
    for (let i = 0; i < 30; i++) cards.push(await server.admin.createCard(boardId, { title: `C${i}` }));
    const people = [
      server.admin,
      ...(await Promise.all([0, 1, 2].map(() => memberWithRole(server, boardId, 'developer')))),
    ];

    const watchers: ClientSocket[] = await Promise.all([
      socketFor(server, people[1]!),
      socketFor(server, people[2]!),
    ]);
    const replicas = await Promise.all(
      watchers.map(async (s) => {
        const ack = (await s.emitWithAck('board:join', { boardId })) as JoinAck;
        if (!ack.ok || ack.mode !== 'snapshot') throw new Error('expected a snapshot');
        const r = replica(ack.snapshot.cards, ack.snapshot.seq);
        s.on('board:events', (batch) => {
          for (const e of batch) r.receive(e);
        });
        return r;
      }),
    );

    // 120 moves at once, many of them onto the same few anchors so keys collide and must retry.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const moves = Array.from({ length: 120 }, (_, i) => {
      const card = cards[random(cards.length)]!;
      let anchor = cards[random(3)]!;
      if (anchor.id === card.id) anchor = cards[(cards.indexOf(card) + 1) % cards.length]!;
      const body = i % 2 ? { afterId: anchor.id } : { beforeId: anchor.id };
      return people[i % people.length]!.post(`/api/boards/${boardId}/cards/${card.id}/move`, body);
    });
    const results = await Promise.all(moves);
    const refused = results.filter((r) => r.status !== 200).map((r) => r.body);
    expect(refused).toEqual([]);

    const ranks = await server.db
      .selectFrom('cards')
      .select(['id', 'rank'])
      .where('board_id', '=', boardId)
      .orderBy('rank')
      .execute();
    expect(new Set(ranks.map((r) => r.rank)).size).toBe(30);
    for (let i = 1; i < ranks.length; i++)
      expect(Buffer.compare(Buffer.from(ranks[i - 1]!.rank), Buffer.from(ranks[i]!.rank))).toBe(-1);

    try {
      const dbOrder = ranks.map((r) => r.id);
      const boardSeq = (await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`))).seq;
      await eventually(() => replicas.every((r) => r.seq === boardSeq));
      for (const r of replicas) expect(r.order()).toEqual(dbOrder);
    } finally {
      for (const s of watchers) s.close();
    }
  });
});

describe('two server instances on one database', () => {
  it('serve one board together: a move made through instance 1 reaches a client of instance 2', async () => {
    const second = await startServer({}, server.databaseUrl);
    try {
      const boardId = (await server.admin.createBoard('Cluster')).id;
      const a = await server.admin.createCard(boardId, { title: 'a' });
      const b = await server.admin.createCard(boardId, { title: 'b' });
      const onSecond = await ApiClient.login(second.baseUrl, 'admin@example.com', ADMIN_PASSWORD);
      const socket = await socketFor(second, onSecond);
      try {
        await socket.emitWithAck('board:join', { boardId });
        const seen: BoardEvent[] = [];
        socket.on('board:events', (batch) => seen.push(...batch));
        await server.admin.ok(
          server.admin.post(`/api/boards/${boardId}/cards/${b.id}/move`, { beforeId: a.id }),
        );
        const moved = await eventually(() => seen.find((e) => e.type === 'card.moved'));
        expect(moved.cardId).toBe(b.id);
        expect(seen).toHaveLength(1);
      } finally {
        socket.close();
      }
    } finally {
      await second.close();
    }
  });
});

describe('one card moved by many at once', () => {
  it('applies every move exactly once: versions and the event log count them all, and the card ends where the last event says', async () => {
    const boardId = (await server.admin.createBoard('Same card')).id;
    const cards: Card[] = [];
    for (let i = 0; i < 6; i++) cards.push(await server.admin.createCard(boardId, { title: `S${i}` }));
    const contested = cards[0]!;
    const seqBefore = (await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`))).seq;
    const watcher = await socketFor(server, server.admin);
    try {
      await watcher.emitWithAck('board:join', { boardId });
      const seen: BoardEvent[] = [];
      watcher.on('board:events', (batch) => seen.push(...batch));

      // 30 moves of the SAME card, each read-then-write racing the others' writes.
      const moves = Array.from({ length: 30 }, (_, i) => {
        const anchor = cards[1 + (i % 5)]!;
        return server.admin.post(
          `/api/boards/${boardId}/cards/${contested.id}/move`,
          i % 2 ? { afterId: anchor.id } : { beforeId: anchor.id },
        );
      });
      const results = await Promise.all(moves);
      expect(results.filter((r) => r.status !== 200).map((r) => r.body)).toEqual([]);

      const [row] = await server.db.selectFrom('cards').selectAll().where('id', '=', contested.id).execute();
      expect(row!.version).toBe(contested.version + 30);
      const logged = await server.db
        .selectFrom('board_events')
        .select(['seq', 'payload'])
        .where('board_id', '=', boardId)
        .where('seq', '>', seqBefore)
        .orderBy('seq')
        .execute();
      expect(logged.map((e) => Number(e.seq))).toEqual(
        Array.from({ length: 30 }, (_, i) => seqBefore + 1 + i),
      );
      const last = (logged.at(-1)!.payload as { card: Card }).card;
      expect(last).toMatchObject({ rank: row!.rank, version: row!.version });

      // The watcher got all 30, each once, however they were batched into frames. (Frames may
      // arrive out of seq order; clients apply by seq, holding back any that come early.)
      await eventually(() => seen.length >= 30 || undefined);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((e) => e.seq).sort((a, b) => a - b)).toEqual(logged.map((e) => Number(e.seq)));
    } finally {
      watcher.close();
    }
  });
});
