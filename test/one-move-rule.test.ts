/**
 * One rule for every card move: the same moves, allowed and refused, made by a person (over HTTP
 * and over the socket) and by a plugin (through the plugin host's ticket writer, as a delivery
 * applies it) give the same answer in the same words and leave the card in the same place; and a
 * WIP limit holds when a person and a plugin move into the same column at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Column, Snapshot, Sprint, Stream } from '../protocol/model.ts';
import type { TicketAction } from '../protocol/plugin.ts';
import { reviewColumn } from '../server/domain/ticket-lifecycle.ts';
import { applyActions } from '../server/plugin-host/apply.ts';
import * as pluginRepo from '../server/plugin-host/repo.ts';
import { install, intoActiveSprint } from '../server/plugin-host/test-tools.ts';
import { EventSink } from '../server/plugin-host/ticket-writer.ts';
import { commitWithEvents } from '../server/sync/event-log.ts';
import { socketFor, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Where the move goes: the stream's done column (a plugin resolves), its review column (a plugin
 * sends to review), or the top of the backlog out of any sprint (a plugin reopens). */
type Target = 'done' | 'review' | 'backlog';

interface Case {
  name: string;
  stream: Stream;
  /** the card's sprint before the move */
  sprint: 'none' | 'active' | 'planned';
  /** a sprint is running on the board (another card's, when the card is not in it) */
  sprintRunning: boolean;
  /** the card starts in the done column (of the active sprint, for development) */
  startsDone?: boolean;
  /** a WIP limit on the target column, which another card already fills */
  wip?: { limit: number; policy: 'hard' | 'warn' };
  target: Target;
  expected: { moved: true } | { moved: false; reason: RegExp };
}

const OFF_THE_BOARD =
  /^only cards in the active sprint go on the sprint board: add the card to the sprint first$/;
const NO_SPRINT = /^no sprint is active: start a sprint before working its cards on the sprint board$/;
const AT_LIMIT = /^column "\w+" is at its WIP limit of 1$/;

const cases: Case[] = [
  {
    name: 'maintenance ticket to Done',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    target: 'done',
    expected: { moved: true },
  },
  {
    name: 'maintenance ticket to review, WIP limit free',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    target: 'review',
    expected: { moved: true },
  },
  {
    name: 'maintenance ticket to review, hard WIP limit reached',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    wip: { limit: 1, policy: 'hard' },
    target: 'review',
    expected: { moved: false, reason: AT_LIMIT },
  },
  {
    name: 'maintenance ticket to review, warn WIP limit reached',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    wip: { limit: 1, policy: 'warn' },
    target: 'review',
    expected: { moved: true },
  },
  {
    name: 'development defect in no sprint to Done, a sprint running',
    stream: 'development',
    sprint: 'none',
    sprintRunning: true,
    target: 'done',
    expected: { moved: false, reason: OFF_THE_BOARD },
  },
  {
    name: 'development defect in no sprint to Done, no sprint running',
    stream: 'development',
    sprint: 'none',
    sprintRunning: false,
    target: 'done',
    expected: { moved: false, reason: NO_SPRINT },
  },
  {
    name: 'development defect in a planned sprint to Done',
    stream: 'development',
    sprint: 'planned',
    sprintRunning: true,
    target: 'done',
    expected: { moved: false, reason: OFF_THE_BOARD },
  },
  {
    name: 'development defect in the active sprint to Done',
    stream: 'development',
    sprint: 'active',
    sprintRunning: true,
    target: 'done',
    expected: { moved: true },
  },
  {
    name: 'development defect in no sprint to review',
    stream: 'development',
    sprint: 'none',
    sprintRunning: true,
    target: 'review',
    expected: { moved: false, reason: OFF_THE_BOARD },
  },
  {
    name: 'development defect in the active sprint to review',
    stream: 'development',
    sprint: 'active',
    sprintRunning: true,
    target: 'review',
    expected: { moved: true },
  },
  {
    name: 'done development defect back to the top of the backlog',
    stream: 'development',
    sprint: 'active',
    sprintRunning: true,
    startsDone: true,
    target: 'backlog',
    expected: { moved: true },
  },
  {
    name: 'done maintenance ticket back to the top of the backlog',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    startsDone: true,
    target: 'backlog',
    expected: { moved: true },
  },
];

interface Arranged {
  boardId: string;
  card: Card;
  columns: Column[];
  /** the column the move names; null for the backlog */
  target: Column | null;
}

const board = (id: string) => server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${id}`));
const move = (boardId: string, cardId: string, body: Record<string, unknown>) =>
  server.admin.post<{ card: Card; message?: string; field?: string }>(
    `/api/boards/${boardId}/cards/${cardId}/move`,
    body,
  );

/** A fresh board with the card in the case's starting place. */
async function arrange(c: Case): Promise<Arranged> {
  const boardId = (await server.admin.createBoard('One rule')).id;
  const card = await server.admin.createCard(boardId, {
    title: 'CI failing on main',
    type: 'defect_automated',
    stream: c.stream,
  });
  if (c.sprint === 'active') await intoActiveSprint(server.admin, boardId, card.id);
  else if (c.sprintRunning)
    await intoActiveSprint(server.admin, boardId, (await server.admin.createCard(boardId)).id);
  if (c.sprint === 'planned') {
    const planned = await server.admin.ok(
      server.admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'Next' }),
    );
    await server.admin.ok(move(boardId, card.id, { sprintId: planned.id }));
  }
  const { columns } = await board(boardId);
  const ofStream = columns.filter((col) => col.stream === c.stream);
  const done = ofStream.find((col) => col.category === 'done')!;
  const target = c.target === 'done' ? done : c.target === 'review' ? reviewColumn(columns, c.stream)! : null;
  if (c.wip && target) {
    const filler = await server.admin.createCard(boardId, { title: 'already there', stream: c.stream });
    await server.admin.ok(move(boardId, filler.id, { columnId: target.id }));
    await server.admin.ok(
      server.admin.patch(`/api/boards/${boardId}/columns/${target.id}`, {
        version: target.version,
        wipLimit: c.wip.limit,
        wipPolicy: c.wip.policy,
      }),
    );
  }
  if (c.startsDone) await server.admin.ok(move(boardId, card.id, { columnId: done.id }));
  const now = (await server.admin.cards(boardId)).find((x) => x.id === card.id)!;
  return { boardId, card: now, columns, target };
}

/** What a person's move asks for: the target column, or out of column and sprint before the top card. */
async function personRequest({ boardId, card, target }: Arranged): Promise<Record<string, unknown>> {
  if (target) return { columnId: target.id };
  const top = (await server.admin.cards(boardId))[0]!;
  return { columnId: null, sprintId: null, ...(top.id !== card.id ? { beforeId: top.id } : {}) };
}

interface Answer {
  moved: boolean;
  reason?: string;
  /** where the card is afterwards */
  place: { column: string | null; sprint: string | null; done: boolean };
}

async function placeOf(a: Arranged): Promise<Answer['place']> {
  const card = (await server.admin.cards(a.boardId)).find((x) => x.id === a.card.id)!;
  const sprints = await server.admin.ok(server.admin.get<Sprint[]>(`/api/boards/${a.boardId}/sprints`));
  return {
    column: a.columns.find((col) => col.id === card.columnId)?.name ?? null,
    sprint: sprints.find((s) => s.id === card.sprintId)?.state ?? null,
    done: card.doneAt !== null,
  };
}

/** A refusal's words without the field prefix the wire error adds (`columnId: …`). */
const reasonOf = (body: { message?: string; field?: string }) =>
  body.field ? body.message?.replace(`${body.field}: `, '') : body.message;

async function byPersonOverHttp(c: Case): Promise<Answer> {
  const a = await arrange(c);
  const res = await move(a.boardId, a.card.id, await personRequest(a));
  const moved = res.status === 200;
  return { moved, ...(moved ? {} : { reason: reasonOf(res.body) }), place: await placeOf(a) };
}

async function byPersonOverSocket(c: Case): Promise<Answer> {
  const a = await arrange(c);
  const socket = await socketFor(server, server.admin);
  try {
    await socket.emitWithAck('board:join', { boardId: a.boardId });
    const ack = await socket.emitWithAck('card:move', {
      boardId: a.boardId,
      cardId: a.card.id,
      ...(await personRequest(a)),
    });
    return { moved: ack.ok, ...(ack.ok ? {} : { reason: reasonOf(ack) }), place: await placeOf(a) };
  } finally {
    socket.close();
  }
}

/** The plugin's own action for the target, applied in one transaction as a delivery is. */
async function byPlugin(c: Case): Promise<Answer> {
  const a = await arrange(c);
  const inst = await install(server.admin, a.boardId, 'generic-ci', {
    lifecycle: { onRecovery: c.target === 'review' ? 'review' : 'resolve' },
  });
  const installation = (await pluginRepo.findInstallation(server.db, inst.id))!;
  const ref = { cardId: a.card.id };
  const action: TicketAction =
    c.target === 'done'
      ? { op: 'resolve', ref }
      : c.target === 'review'
        ? { op: 'recover', ref }
        : { op: 'reopen', ref };
  const { results } = await commitWithEvents(server.db, server.app.bus, async (trx, record) => {
    const sink = new EventSink();
    const applied = await applyActions(
      trx,
      {
        boardId: a.boardId,
        pluginId: 'generic-ci',
        installation,
        actions: [action],
        deliveryId: null,
        occurrencePrefix: 'equivalence',
        receivedAt: new Date(),
        problemRule: null,
      },
      sink,
    );
    await sink.flush(record);
    return applied;
  });
  const [result] = results;
  const moved = ['resolved', 'review', 'reopened'].includes(result!.result);
  return {
    moved,
    ...(moved ? {} : { reason: result!.message?.replace(/^not moved to "[^"]*": /, '') }),
    place: await placeOf(a),
  };
}

describe('a plugin’s move obeys the same rules as a person’s', () => {
  it.each(cases)('$name', async (c) => {
    const [http, socket, plugin] = [
      await byPersonOverHttp(c),
      await byPersonOverSocket(c),
      await byPlugin(c),
    ];
    if (c.expected.moved) expect(http.moved).toBe(true);
    else {
      expect(http.moved).toBe(false);
      expect(http.reason).toMatch(c.expected.reason);
    }
    expect(socket).toEqual(http);
    expect(plugin).toEqual(http);
  });
});

describe('a WIP limit holds when a person and a plugin move into the column at once', () => {
  it('lets at most one of them into a column with room for one, every time', async () => {
    const boardId = (await server.admin.createBoard('Race')).id;
    const { columns } = await board(boardId);
    const review = reviewColumn(columns, 'maintenance')!;
    const ready = columns.find((col) => col.stream === 'maintenance' && col.category === 'todo')!;
    await server.admin.ok(
      server.admin.patch(`/api/boards/${boardId}/columns/${review.id}`, {
        version: review.version,
        wipLimit: 1,
        wipPolicy: 'hard',
      }),
    );
    const inst = await install(server.admin, boardId, 'generic-ci', { lifecycle: { onRecovery: 'review' } });
    const installation = (await pluginRepo.findInstallation(server.db, inst.id))!;
    const pluginRecovers = (cardId: string) =>
      commitWithEvents(server.db, server.app.bus, async (trx, record) => {
        const sink = new EventSink();
        const applied = await applyActions(
          trx,
          {
            boardId,
            pluginId: 'generic-ci',
            installation,
            actions: [{ op: 'recover', ref: { cardId } }],
            deliveryId: null,
            occurrencePrefix: 'race',
            receivedAt: new Date(),
            problemRule: null,
          },
          sink,
        );
        await sink.flush(record);
        return applied;
      });
    for (let round = 0; round < 20; round++) {
      const [a, b] = [
        await server.admin.createCard(boardId, { title: `person ${round}`, stream: 'maintenance' }),
        await server.admin.createCard(boardId, { title: `plugin ${round}`, stream: 'maintenance' }),
      ];
      await Promise.all([move(boardId, a.id, { columnId: review.id }), pluginRecovers(b.id)]);
      const inReview = (await server.admin.cards(boardId)).filter((c) => c.columnId === review.id);
      expect(inReview.length, `round ${round}`).toBe(1);
      await server.admin.ok(move(boardId, inReview[0]!.id, { columnId: ready.id }));
    }
  });
});
