/**
 * The in-app inbox against a real server and PostgreSQL: who is told of what (assigned, mentioned,
 * a watched card changed), that a burst of changes to one card is one unread row, that nobody hears
 * of their own action or of a board they are not on, that the bell's frame reaches the person's own
 * socket, and that following the event log is exactly-once across restarts, concurrent followers and
 * a crash before the cursor moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxChangedFrame, InboxPage } from '../protocol/inbox.ts';
import type { Card, Snapshot } from '../protocol/model.ts';
import { mentionToken } from '../protocol/rules/mentions.ts';
import { InboxFollower } from '../server/inbox/follower.ts';
import { BoardEventBus } from '../server/sync/event-log.ts';
import {
  type ApiClient,
  eventually,
  memberWithRole,
  socketFor,
  startServer,
  type TestServer,
} from './harness.ts';

let server: TestServer;
let boardId: string;
let ann: ApiClient;
let bob: ApiClient;
let cat: ApiClient;
/** someone with an account but not on the board */
let eve: ApiClient;
let inProgress: string;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Inbox')).id;
  ann = await memberWithRole(server, boardId, 'developer', 'ann');
  bob = await memberWithRole(server, boardId, 'developer', 'bob');
  cat = await memberWithRole(server, boardId, 'developer', 'cat');
  const elsewhere = (await server.admin.createBoard('Elsewhere')).id;
  eve = await memberWithRole(server, elsewhere, 'developer', 'eve');
  const snapshot = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
  inProgress = snapshot.columns.find((c) => c.stream === 'maintenance' && c.category === 'in_progress')!.id;
});
afterAll(async () => {
  await server?.close();
});

const inbox = (who: ApiClient, query = '') => who.ok(who.get<InboxPage>(`/api/inbox${query}`));
const rowsAbout = async (who: ApiClient, card: Card) =>
  (await inbox(who)).items.filter((n) => n.cardId === card.id);
const mention = (who: ApiClient, name: string) => mentionToken({ id: who.userId!, name });
/** Resolves once the inbox has followed the board to its last event. */
async function followed(): Promise<void> {
  await eventually(async () => {
    const { rows } = await server.db
      .selectFrom('boards as b')
      .innerJoin('inbox_cursors as c', 'c.board_id', 'b.id')
      .select(['b.seq', 'c.seq as cursor'])
      .where('b.id', '=', boardId)
      .execute()
      .then((rows) => ({ rows }));
    return rows[0] && Number(rows[0].seq) === Number(rows[0].cursor);
  });
}
const comment = (who: ApiClient, card: Card, body: string) =>
  who.ok(who.post(`/api/boards/${boardId}/cards/${card.id}/comments`, { body }));
const move = (who: ApiClient, card: Card, columnId: string | null) =>
  who.ok(who.post(`/api/boards/${boardId}/cards/${card.id}/move`, { columnId }));

describe('who is told', () => {
  it('assigning a card tells its new assignee once, and nobody of their own action', async () => {
    const card = await ann.createCard(boardId, { title: 'Refunds stuck', assigneeId: bob.userId });
    await followed();
    const rows = await rowsAbout(bob, card);
    expect(rows.map((n) => [n.kind, n.actor, n.summary, n.cardKey, n.read])).toEqual([
      ['assigned', expect.stringContaining('ann'), 'assigned you a new card', card.key, false],
    ]);
    expect(await rowsAbout(ann, card)).toEqual([]);
  });

  it('a comment tells the members it mentions, not the writer and not someone off the board', async () => {
    const card = await ann.createCard(boardId, { title: 'Mentions' });
    await comment(
      ann,
      card,
      `${mention(bob, 'Bob')} ${mention(cat, 'Cat')} ${mention(ann, 'Ann')} ${mention(eve, 'Eve')} please look`,
    );
    await followed();
    expect((await rowsAbout(bob, card)).map((n) => n.kind)).toEqual(['mentioned']);
    expect((await rowsAbout(cat, card)).map((n) => n.summary)).toEqual([
      'mentioned you in a comment: @Bob @Cat @Ann @Eve please look',
    ]);
    expect(await rowsAbout(ann, card)).toEqual([]);
    expect((await inbox(eve)).items).toEqual([]);
    expect(
      await server.db.selectFrom('inbox_notifications').where('user_id', '=', eve.userId!).execute(),
    ).toEqual([]);
  });

  it('an edited description tells only the people it newly mentions', async () => {
    const card = await ann.createCard(boardId, { title: 'Spec', description: `ask ${mention(bob, 'Bob')}` });
    await followed();
    expect((await rowsAbout(bob, card)).map((n) => n.kind)).toEqual(['mentioned']);
    await ann.ok(
      ann.patch(`/api/boards/${boardId}/cards/${card.id}`, {
        version: card.version,
        description: `ask ${mention(bob, 'Bob')} and ${mention(cat, 'Cat')}`,
      }),
    );
    await followed();
    expect((await rowsAbout(bob, card)).map((n) => n.kind)).toEqual(['mentioned']);
    expect((await rowsAbout(cat, card)).map((n) => n.kind)).toEqual(['mentioned']);
  });
});

describe('a card you watch', () => {
  it('a burst of changes by others is one unread row with the latest change; after reading, the next is a new row', async () => {
    const card = await bob.createCard(boardId, { title: 'Watched', stream: 'maintenance' });
    await followed();
    await move(ann, card, inProgress);
    await move(ann, card, null);
    await comment(cat, card, 'on it');
    await followed();
    const [row, ...more] = await rowsAbout(bob, card);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ kind: 'watching', changes: 3, summary: 'commented: on it', read: false });

    await bob.ok(bob.post(`/api/inbox/${row!.id}/read`));
    await move(ann, card, inProgress);
    await followed();
    const rows = await rowsAbout(bob, card);
    expect(rows.map((n) => [n.summary, n.read, n.changes])).toEqual([
      ['moved it to In progress', false, 1],
      ['commented: on it', true, 3],
    ]);
    // Cat commented, so Cat watches too and heard of the move after it.
    expect((await rowsAbout(cat, card)).map((n) => n.summary)).toEqual(['moved it to In progress']);
  });

  it('unwatching stops it; watching again starts it', async () => {
    const card = await bob.createCard(boardId, { title: 'Unwatched', stream: 'maintenance' });
    const watch = `/api/boards/${boardId}/cards/${card.id}/watch`;
    await followed();
    // creating it watched it
    expect(await bob.ok(bob.get(watch))).toEqual({ watching: true });
    expect(await bob.ok(bob.put(watch, { watching: false }))).toEqual({ watching: false });
    await move(ann, card, inProgress);
    await followed();
    expect(await rowsAbout(bob, card)).toEqual([]);
    await bob.ok(bob.put(watch, { watching: true }));
    await move(ann, card, null);
    await followed();
    expect((await rowsAbout(bob, card)).map((n) => n.summary)).toEqual(['moved it to the backlog']);
  });
});

describe('the bell', () => {
  it("the unread count reaches the person's own socket, and only theirs", async () => {
    const bobSocket = await socketFor(server, bob);
    const catSocket = await socketFor(server, cat);
    const catFrames: InboxChangedFrame[] = [];
    catSocket.on('inbox:changed', (f) => catFrames.push(f));
    try {
      const before = (await bob.ok(bob.get<{ unread: number }>('/api/inbox/unread'))).unread;
      const frame = new Promise<InboxChangedFrame>((resolve) => bobSocket.once('inbox:changed', resolve));
      await ann.createCard(boardId, { title: 'For Bob', assigneeId: bob.userId });
      expect(await frame).toEqual({ unread: before + 1 });
      await followed();
      expect(catFrames).toEqual([]);

      const cleared = new Promise<InboxChangedFrame>((resolve) => bobSocket.once('inbox:changed', resolve));
      expect(await bob.ok(bob.post('/api/inbox/read'))).toEqual({ unread: 0 });
      expect(await cleared).toEqual({ unread: 0 });
    } finally {
      bobSocket.close();
      catSocket.close();
    }
  });
});

describe('exactly once', () => {
  const quietFollower = (beforeAdvance?: () => Promise<void>) =>
    new InboxFollower({
      db: server.db,
      bus: new BoardEventBus(),
      onChanged: () => {},
      log: () => {},
      ...(beforeAdvance ? { beforeAdvance } : {}),
    });
  const countFor = async (who: ApiClient, cardIds: string[]) =>
    server.db
      .selectFrom('inbox_notifications')
      .select(['card_id', 'kind'])
      .where('user_id', '=', who.userId!)
      .where('card_id', 'in', cardIds)
      .orderBy('card_id')
      .orderBy('kind')
      .execute();

  it('events committed while no follower ran are told once after a crash, by followers racing, and never again', async () => {
    await followed();
    await server.app.inbox.follower.stop();
    try {
      const cards = [
        await ann.createCard(boardId, { title: 'Offline 1', assigneeId: bob.userId }),
        await ann.createCard(boardId, { title: 'Offline 2', assigneeId: bob.userId }),
      ];
      await comment(ann, cards[0]!, `${mention(cat, 'Cat')} fyi`);
      const ids = cards.map((c) => c.id);
      const cursorBefore = await server.db
        .selectFrom('inbox_cursors')
        .select('seq')
        .where('board_id', '=', boardId)
        .executeTakeFirstOrThrow();

      // Crashes after writing its rows, before moving the cursor: nothing of it stays.
      await quietFollower(async () => {
        throw new Error('crash');
      }).catchUp();
      expect(await countFor(bob, ids)).toEqual([]);
      expect(
        await server.db
          .selectFrom('inbox_cursors')
          .select('seq')
          .where('board_id', '=', boardId)
          .executeTakeFirst(),
      ).toEqual(cursorBefore);

      // Two instances resume at once: one takes the board, the other waits and finds nothing left.
      await Promise.all([
        quietFollower().catchUp(),
        quietFollower().catchUp(),
        quietFollower().follow(boardId),
      ]);
      // Bob, assigned both, watches them: Ann's comment on the first is news to him too.
      const expected = [
        ...ids.map((id) => ({ card_id: id, kind: 'assigned' })),
        { card_id: ids[0], kind: 'watching' },
      ].sort((a, b) => a.card_id!.localeCompare(b.card_id!) || a.kind.localeCompare(b.kind));
      expect(await countFor(bob, ids)).toEqual(expected);
      expect(await countFor(cat, ids)).toEqual([{ card_id: cards[0]!.id, kind: 'mentioned' }]);
      expect(await countFor(ann, ids)).toEqual([]);

      // A restart follows again: nothing new.
      await quietFollower().catchUp();
      expect(await countFor(bob, ids)).toEqual(expected);
    } finally {
      server.app.inbox.follower.start();
    }
  });
});
