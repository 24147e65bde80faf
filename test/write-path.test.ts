/**
 * One write path for card moves: the same table of allowed and refused moves, made by a person (over
 * HTTP and over the socket) and by a plugin, gets the same answer — allowed, or refused with the same
 * error code and field — and leaves the card in the same place.
 *
 * The plugin's moves go in through the plugin host as a delivery applies them (applyActions in one
 * transaction with an EventSink): `resolve` asks for the stream's done column, `recover` (lifecycle
 * "review") for its review column, `reopen` for the top of the backlog. A plugin has no action for
 * other places (a sprint, a named column); for those rows the plugin's answer comes from the card
 * write the ticket writer calls for every move (cards/writes.ts moveCard), in a plugin's transaction
 * with its actor and EventSink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, ClassOfService, Column, Snapshot, Sprint, Stream } from '../protocol/model.ts';
import type { TicketAction } from '../protocol/plugin.ts';
import * as cardWrites from '../server/cards/writes.ts';
import type { MoveRequest } from '../server/domain/card-move.ts';
import { reviewColumn } from '../server/domain/ticket-lifecycle.ts';
import type { ErrorCode } from '../server/infra/errors.ts';
import { applyActions, pluginActor } from '../server/plugin-host/apply.ts';
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

interface Arranged {
  boardId: string;
  card: Card;
  columns: Column[];
  /** a planned sprint of the board (one is always there) */
  planned: Sprint;
  /** a column that was on the board and was removed */
  deletedColumnId: string;
}

/** Where the move goes: a plugin action's place, or a request only a person (or the card write) makes. */
type Move = { action: 'resolve' | 'recover' | 'reopen' } | { request: (a: Arranged) => MoveRequest };

interface Case {
  name: string;
  stream: Stream;
  classOfService?: ClassOfService;
  /** the card's sprint before the move */
  sprint: 'none' | 'active';
  /** a sprint is running on the board (another card's, when the card is not in it) */
  sprintRunning: boolean;
  /** the card starts in its stream's done column */
  startsDone?: boolean;
  /** a WIP limit on the review column, which another (standard) card already fills */
  wip?: { policy: 'hard' | 'warn'; expediteExempt?: boolean };
  move: Move;
  expected: 'allowed' | { code: ErrorCode; field?: string };
}

const column = (a: Arranged, stream: Stream, pick: 'done' | 'review') =>
  pick === 'done'
    ? a.columns.find((c) => c.stream === stream && c.category === 'done')!
    : reviewColumn(a.columns, stream)!;

const cases: Case[] = [
  {
    name: 'maintenance card to Done',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    move: { action: 'resolve' },
    expected: 'allowed',
  },
  {
    name: 'maintenance card to review, hard WIP limit reached',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    wip: { policy: 'hard' },
    move: { action: 'recover' },
    expected: { code: 'WIP_LIMIT_REACHED' },
  },
  {
    name: 'maintenance card to review, warn WIP limit reached',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    wip: { policy: 'warn' },
    move: { action: 'recover' },
    expected: 'allowed',
  },
  {
    name: 'expedite card to review, hard WIP limit reached, expedite exempt',
    stream: 'maintenance',
    classOfService: 'expedite',
    sprint: 'none',
    sprintRunning: false,
    wip: { policy: 'hard', expediteExempt: true },
    move: { action: 'recover' },
    expected: 'allowed',
  },
  {
    name: 'expedite card to review, hard WIP limit reached, not exempt',
    stream: 'maintenance',
    classOfService: 'expedite',
    sprint: 'none',
    sprintRunning: false,
    wip: { policy: 'hard', expediteExempt: false },
    move: { action: 'recover' },
    expected: { code: 'WIP_LIMIT_REACHED' },
  },
  {
    name: 'development card in no sprint to Done, a sprint running',
    stream: 'development',
    sprint: 'none',
    sprintRunning: true,
    move: { action: 'resolve' },
    expected: { code: 'VALIDATION_FAILED', field: 'columnId' },
  },
  {
    name: 'development card to Done, no sprint running',
    stream: 'development',
    sprint: 'none',
    sprintRunning: false,
    move: { action: 'resolve' },
    expected: { code: 'VALIDATION_FAILED', field: 'columnId' },
  },
  {
    name: 'development card in the active sprint to Done',
    stream: 'development',
    sprint: 'active',
    sprintRunning: true,
    move: { action: 'resolve' },
    expected: 'allowed',
  },
  {
    name: 'done development card back to the top of the backlog',
    stream: 'development',
    sprint: 'active',
    sprintRunning: true,
    startsDone: true,
    move: { action: 'reopen' },
    expected: 'allowed',
  },
  {
    name: 'maintenance card into a sprint',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    move: { request: (a) => ({ sprintId: a.planned.id }) },
    expected: { code: 'VALIDATION_FAILED', field: 'sprintId' },
  },
  {
    name: 'development card into a planned sprint',
    stream: 'development',
    sprint: 'none',
    sprintRunning: false,
    move: { request: (a) => ({ sprintId: a.planned.id }) },
    expected: 'allowed',
  },
  {
    name: 'maintenance card into a development column',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    move: { request: (a) => ({ columnId: column(a, 'development', 'review').id }) },
    expected: { code: 'VALIDATION_FAILED', field: 'columnId' },
  },
  {
    name: 'maintenance card into a deleted column',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    move: { request: (a) => ({ columnId: a.deletedColumnId }) },
    expected: { code: 'VALIDATION_FAILED', field: 'columnId' },
  },
  {
    name: 'card placed next to itself',
    stream: 'maintenance',
    sprint: 'none',
    sprintRunning: false,
    move: { request: (a) => ({ afterId: a.card.id }) },
    expected: { code: 'VALIDATION_FAILED', field: 'afterId' },
  },
];

const moveOverHttp = (boardId: string, cardId: string, body: MoveRequest) =>
  server.admin.post<{ error?: ErrorCode; field?: string }>(
    `/api/boards/${boardId}/cards/${cardId}/move`,
    body,
  );

/** A fresh board with the card in the case's starting place. */
async function arrange(c: Case): Promise<Arranged> {
  const { admin } = server;
  const boardId = (await admin.createBoard('Write path')).id;
  const card = await admin.createCard(boardId, {
    title: 'CI failing on main',
    type: 'defect_automated',
    stream: c.stream,
    ...(c.classOfService ? { classOfService: c.classOfService } : {}),
  });
  if (c.sprint === 'active') await intoActiveSprint(admin, boardId, card.id);
  else if (c.sprintRunning) await intoActiveSprint(admin, boardId, (await admin.createCard(boardId)).id);
  const planned = await admin.ok(admin.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'Next' }));
  const extra = await admin.ok(
    admin.post<Column>(`/api/boards/${boardId}/columns`, {
      name: 'Gone',
      stream: 'maintenance',
      category: 'in_progress',
    }),
  );
  await admin.ok(admin.delete(`/api/boards/${boardId}/columns/${extra.id}`));
  const { columns } = await admin.ok(admin.get<Snapshot>(`/api/boards/${boardId}`));
  const a: Arranged = { boardId, card, columns, planned, deletedColumnId: extra.id };
  if (c.wip) {
    const review = column(a, c.stream, 'review');
    const filler = await admin.createCard(boardId, { title: 'already there', stream: c.stream });
    await admin.ok(moveOverHttp(boardId, filler.id, { columnId: review.id }));
    await admin.ok(
      admin.patch(`/api/boards/${boardId}/columns/${review.id}`, {
        version: review.version,
        wipLimit: 1,
        wipPolicy: c.wip.policy,
        expediteExempt: c.wip.expediteExempt ?? false,
      }),
    );
  }
  if (c.startsDone)
    await admin.ok(moveOverHttp(boardId, card.id, { columnId: column(a, c.stream, 'done').id }));
  a.card = (await admin.cards(boardId)).find((x) => x.id === card.id)!;
  return a;
}

/** What a person asks for: the case's request, or the place the plugin's action names. */
async function personRequest(c: Case, a: Arranged): Promise<MoveRequest> {
  if ('request' in c.move) return c.move.request(a);
  if (c.move.action === 'resolve') return { columnId: column(a, c.stream, 'done').id };
  if (c.move.action === 'recover') return { columnId: column(a, c.stream, 'review').id };
  const top = (await server.admin.cards(a.boardId))[0]!;
  return { columnId: null, sprintId: null, ...(top.id !== a.card.id ? { beforeId: top.id } : {}) };
}

interface Answer {
  allowed: boolean;
  code?: string;
  field?: string;
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

const refusal = (code: string | undefined, field: string | undefined) => ({
  ...(code ? { code } : {}),
  ...(field ? { field } : {}),
});

async function byPersonOverHttp(c: Case): Promise<Answer> {
  const a = await arrange(c);
  const res = await moveOverHttp(a.boardId, a.card.id, await personRequest(c, a));
  const allowed = res.status === 200;
  return {
    allowed,
    ...(allowed ? {} : refusal(res.body.error, res.body.field)),
    place: await placeOf(a),
  };
}

async function byPersonOverSocket(c: Case): Promise<Answer> {
  const a = await arrange(c);
  const socket = await socketFor(server, server.admin);
  try {
    await socket.emitWithAck('board:join', { boardId: a.boardId });
    const ack = await socket.emitWithAck('card:move', {
      boardId: a.boardId,
      cardId: a.card.id,
      ...(await personRequest(c, a)),
    });
    return {
      allowed: ack.ok,
      ...(ack.ok ? {} : refusal(ack.error, ack.field as string | undefined)),
      place: await placeOf(a),
    };
  } finally {
    socket.close();
  }
}

/** In one transaction with an EventSink, as the plugin host applies a delivery. */
function inPluginTransaction<T>(
  work: (trx: Parameters<typeof applyActions>[0], sink: EventSink) => Promise<T>,
) {
  return commitWithEvents(server.db, server.app.bus, async (trx, record) => {
    const sink = new EventSink();
    const result = await work(trx, sink);
    await sink.flush(record);
    return result;
  });
}

async function byPlugin(c: Case): Promise<Answer> {
  const a = await arrange(c);
  if ('request' in c.move) {
    const request = c.move.request(a);
    const outcome = await inPluginTransaction((trx, sink) =>
      cardWrites.moveCard(trx, sink.recorder, pluginActor('generic-ci'), a.boardId, a.card.id, request),
    );
    const allowed = outcome?.ok === true;
    return {
      allowed,
      ...(outcome && !outcome.ok
        ? refusal(outcome.error.code, outcome.error.details.field as string | undefined)
        : {}),
      place: await placeOf(a),
    };
  }
  const inst = await install(server.admin, a.boardId, 'generic-ci', {
    lifecycle: { onRecovery: c.move.action === 'recover' ? 'review' : 'resolve' },
  });
  const installation = (await pluginRepo.findInstallation(server.db, inst.id))!;
  const ref = { cardId: a.card.id };
  const action: TicketAction = { op: c.move.action, ref };
  const { results, refusals } = await inPluginTransaction((trx, sink) =>
    applyActions(
      trx,
      {
        boardId: a.boardId,
        pluginId: 'generic-ci',
        installation,
        actions: [action],
        deliveryId: null,
        occurrencePrefix: 'write-path',
        receivedAt: new Date(),
        problemRule: null,
      },
      sink,
    ),
  );
  const allowed = ['resolved', 'review', 'reopened'].includes(results[0]!.result);
  const [refused] = refusals;
  expect(allowed, 'a plugin refused says so in its result and its refusals').toBe(refused === undefined);
  return { allowed, ...(refused ? refusal(refused.code, refused.field) : {}), place: await placeOf(a) };
}

describe('people and plugins move cards through one write path', () => {
  it.each(cases)('$name', async (c) => {
    const http = await byPersonOverHttp(c);
    const socket = await byPersonOverSocket(c);
    const plugin = await byPlugin(c);
    expect({ allowed: http.allowed, ...refusal(http.code, http.field) }).toEqual(
      c.expected === 'allowed' ? { allowed: true } : { allowed: false, ...c.expected },
    );
    expect(socket).toEqual(http);
    expect(plugin).toEqual(http);
  });
});
