/** Live board: broadcast to everyone on the board, socket moves, exact catch-up after a reconnect, presence. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/model.ts';
import { CATCH_UP_LIMIT, type JoinAck, type PresenceUser } from '../protocol/socket.ts';
import { BROADCAST_SLICE } from '../server/sync/sliced-send.ts';
import { applyPresence, noPresence, presenceUsers } from '../web/src/lib/board/presence.ts';
import {
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

function collect(socket: ClientSocket): BoardEvent[] {
  const events: BoardEvent[] = [];
  socket.on('board:events', (batch) => events.push(...batch));
  return events;
}

describe('real time', () => {
  it('broadcasts every accepted change to everyone on the board, and only them', async () => {
    const boardId = (await server.admin.createBoard('Live')).id;
    const otherBoard = (await server.admin.createBoard('Quiet')).id;
    const dev = await memberWithRole(server, boardId, 'developer');
    const [a, b, elsewhere] = await Promise.all([
      socketFor(server, server.admin),
      socketFor(server, dev),
      socketFor(server, server.admin),
    ]);
    try {
      await a.emitWithAck('board:join', { boardId });
      await b.emitWithAck('board:join', { boardId });
      await elsewhere.emitWithAck('board:join', { boardId: otherBoard });
      const seenA = collect(a);
      const seenB = collect(b);
      const seenElsewhere = collect(elsewhere);

      const card = await server.admin.createCard(boardId, { title: 'Shown live' });
      await dev.ok(
        dev.patch(`/api/boards/${boardId}/cards/${card.id}`, { version: 1, title: 'Edited live' }),
      );
      await eventually(() => seenA.length === 2 && seenB.length === 2);
      for (const seen of [seenA, seenB]) {
        expect(seen.map((e) => [e.type, 'card' in e.payload ? e.payload.card.title : null])).toEqual([
          ['card.created', 'Shown live'],
          ['card.updated', 'Edited live'],
        ]);
        // Adding the developer was change 1 on this board; these are the next two.
        expect(seen.map((e) => e.seq)).toEqual([2, 3]);
      }
      expect(seenElsewhere).toEqual([]);
    } finally {
      for (const s of [a, b, elsewhere]) s.close();
    }
  });

  it('a board watched by more sockets than one slice: each gets every event once, in order, during a burst', async () => {
    const boardId = (await server.admin.createBoard('Many watchers')).id;
    const cards = await Promise.all(
      Array.from({ length: 4 }, (_, i) => server.admin.createCard(boardId, { title: `card ${i}` })),
    );
    // Three slices of 20 and a bit: a frame reaches them over several turns of the event loop.
    const watchers = await Promise.all(
      Array.from({ length: 2 * BROADCAST_SLICE + 5 }, () => socketFor(server, server.admin)),
    );
    const mover = await socketFor(server, server.admin);
    try {
      for (const w of watchers) await w.emitWithAck('board:join', { boardId });
      await mover.emitWithAck('board:join', { boardId });
      const seen = watchers.map(collect);
      const acks = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          mover.emitWithAck('card:move', {
            boardId,
            cardId: cards[i % 4]!.id,
            beforeId: cards[(i + 2) % 4]!.id,
          }),
        ),
      );
      const seqs = acks.map((ack) => (ack.ok ? ack.event.seq : -1)).sort((x, y) => x - y);
      expect(seqs).not.toContain(-1);
      await eventually(() => seen.every((events) => events.length >= seqs.length));
      for (const events of seen) expect(events.map((e) => e.seq)).toEqual(seqs);
    } finally {
      for (const s of [...watchers, mover]) s.close();
    }
  });

  it('a commit published after a later one (two writers racing) still reaches watchers in sequence order', async () => {
    const boardId = (await server.admin.createBoard('Overtaken')).id;
    const [first, second] = await Promise.all(
      ['first', 'second'].map((title) => server.admin.createCard(boardId, { title })),
    );
    const watcher = await socketFor(server, server.admin);
    const bus = server.app.bus;
    const publish = bus.publish.bind(bus);
    try {
      await watcher.emitWithAck('board:join', { boardId });
      const seen = collect(watcher);
      // The first edit's writer publishes 50 ms after its commit, so the second edit's event
      // (committed later, published at once) reaches the real-time layer first.
      let delayed = false;
      bus.publish = (event) => {
        if (event.boardId === boardId && !delayed) {
          delayed = true;
          setTimeout(() => publish(event), 50);
        } else publish(event);
      };
      const a = await server.admin.patch(`/api/boards/${boardId}/cards/${first!.id}`, {
        version: 1,
        title: 'A',
      });
      const b = await server.admin.patch(`/api/boards/${boardId}/cards/${second!.id}`, {
        version: 1,
        title: 'B',
      });
      expect([a.status, b.status]).toEqual([200, 200]);
      await eventually(() => seen.length >= 2);
      expect(seen.map((e) => ('card' in e.payload ? e.payload.card.title : null))).toEqual(['A', 'B']);
      expect(seen[1]!.seq).toBe(seen[0]!.seq + 1);
    } finally {
      bus.publish = publish;
      watcher.close();
    }
  });

  it('moves a card over the socket: the mover gets the ack, the other client the event', async () => {
    const boardId = (await server.admin.createBoard('Socket moves')).id;
    const first = await server.admin.createCard(boardId, { title: 'first' });
    const second = await server.admin.createCard(boardId, { title: 'second' });
    const [mover, watcher] = await Promise.all([
      socketFor(server, server.admin),
      socketFor(server, server.admin),
    ]);
    try {
      await mover.emitWithAck('board:join', { boardId });
      await watcher.emitWithAck('board:join', { boardId });
      const seen = collect(watcher);
      const ack = await mover.emitWithAck('card:move', { boardId, cardId: second.id, beforeId: first.id });
      expect(ack.ok).toBe(true);
      const event = ack.ok && ack.event.type === 'card.moved' ? ack.event : null;
      await eventually(() => seen.length === 1);
      expect(seen[0]).toEqual(event);
      // Watchers get the card's new place and where it was, not the whole card.
      expect(event!.payload.from).toEqual({
        rank: second.rank,
        columnId: null,
        sprintId: null,
        stream: second.stream,
      });
      const [stored] = (await server.admin.cards(boardId)).filter((c) => c.id === second.id);
      expect(event!.payload.card).toEqual({
        id: stored!.id,
        version: stored!.version,
        rank: stored!.rank,
        columnId: stored!.columnId,
        sprintId: stored!.sprintId,
        stream: stored!.stream,
        startedAt: stored!.startedAt,
        doneAt: stored!.doneAt,
        updatedAt: stored!.updatedAt,
      });
      expect((await server.admin.cards(boardId)).map((c) => c.title)).toEqual(['second', 'first']);
    } finally {
      mover.close();
      watcher.close();
    }
  });

  it('after a reconnect sends exactly the missed changes: nothing lost, nothing doubled', async () => {
    const boardId = (await server.admin.createBoard('Reconnect')).id;
    await server.admin.createCard(boardId, { title: 'before' });
    const socket = await socketFor(server, server.admin);
    const first = (await socket.emitWithAck('board:join', { boardId })) as JoinAck;
    expect(first).toMatchObject({ ok: true, mode: 'snapshot', seq: 1 });
    socket.close();

    // While the client is away, three changes happen.
    const c = await server.admin.createCard(boardId, { title: 'missed 1' });
    await server.admin.createCard(boardId, { title: 'missed 2' });
    await server.admin.ok(
      server.admin.patch(`/api/boards/${boardId}/cards/${c.id}`, { version: 1, priority: 'high' }),
    );

    const again = await socketFor(server, server.admin);
    try {
      const ack = (await again.emitWithAck('board:join', { boardId, sinceSeq: 1 })) as JoinAck;
      expect(ack.ok && ack.mode).toBe('events');
      if (!ack.ok || ack.mode !== 'events') throw new Error('expected events');
      expect(ack.events.map((e) => e.seq)).toEqual([2, 3, 4]);
      expect(ack.events.map((e) => e.type)).toEqual(['card.created', 'card.created', 'card.updated']);
      expect(ack.seq).toBe(4);

      const upToDate = (await again.emitWithAck('board:join', { boardId, sinceSeq: 4 })) as JoinAck;
      expect(upToDate).toMatchObject({ ok: true, mode: 'events', events: [], seq: 4 });
    } finally {
      again.close();
    }
  });

  it('sends a fresh snapshot to a client too far behind', async () => {
    const boardId = (await server.admin.createBoard('Far behind')).id;
    const card = await server.admin.createCard(boardId, { title: 'churn' });
    for (let v = 1; v <= CATCH_UP_LIMIT + 1; v++) {
      await server.db.transaction().execute(async (trx) => {
        const { appendEvent } = await import('../server/sync/event-log.ts');
        await appendEvent(
          trx,
          {
            boardId,
            type: 'card.updated',
            cardId: card.id,
            actor: { userId: null, label: 'test', isAdmin: true },
            payload: { card, changes: [] },
          },
          'test',
        );
      });
    }
    const socket = await socketFor(server, server.admin);
    try {
      const ack = (await socket.emitWithAck('board:join', { boardId, sinceSeq: 1 })) as JoinAck;
      expect(ack).toMatchObject({ ok: true, mode: 'snapshot', seq: CATCH_UP_LIMIT + 2 });
      if (ack.ok && ack.mode === 'snapshot')
        expect(ack.snapshot.cards.map((c) => c.title)).toEqual(['churn']);
    } finally {
      socket.close();
    }
  });

  it('shows who is on the board and which card someone is dragging', async () => {
    const boardId = (await server.admin.createBoard('Presence')).id;
    const card = await server.admin.createCard(boardId, { title: 'dragged' });
    const dev = await memberWithRole(server, boardId, 'developer', 'Dana');
    const [mine, theirs] = await Promise.all([socketFor(server, server.admin), socketFor(server, dev)]);
    try {
      const frames: PresenceUser[][] = [];
      let state = noPresence;
      mine.on('presence', (f) => {
        state = applyPresence(state, f, boardId);
        frames.push(presenceUsers(state));
      });
      await mine.emitWithAck('board:join', { boardId });
      await theirs.emitWithAck('board:join', { boardId });
      await eventually(() => frames.at(-1)?.length === 2);
      theirs.emit('presence:drag', { boardId, cardId: card.id });
      const dragging = await eventually(() => frames.at(-1)?.find((u) => u.draggingCardId === card.id));
      expect(dragging.name).toMatch(/^Dana/);
      theirs.close();
      await eventually(() => frames.at(-1)?.length === 1);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
