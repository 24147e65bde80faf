import pg from 'pg';
/** Kanban in the maintenance stream: WIP limits enforced by the server, policies, pull, flow metrics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Column, FlowReport, Snapshot } from '../protocol/model.ts';
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

async function maintenanceBoard(limit: number, policy: 'hard' | 'warn' = 'hard') {
  const id = (await server.admin.createBoard('AMS')).id;
  const snap = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${id}`));
  const col = (name: string) => snap.columns.find((c) => c.stream === 'maintenance' && c.name === name)!;
  const doing = await server.admin.ok(
    server.admin.patch<Column>(`/api/boards/${id}/columns/${col('In progress').id}`, {
      version: col('In progress').version,
      wipLimit: limit,
      wipPolicy: policy,
    }),
  );
  return { id, ready: col('Ready').id, doing, done: col('Done').id };
}
const ticket = (boardId: string, title: string, extra: Record<string, unknown> = {}) =>
  server.admin.createCard(boardId, { title, type: 'incident', stream: 'maintenance', ...extra });
const move = (boardId: string, cardId: string, columnId: string) =>
  server.admin.post<{
    card: Card;
    warning?: string;
    error?: string;
    message?: string;
    limit?: number;
    columnName?: string;
  }>(`/api/boards/${boardId}/cards/${cardId}/move`, { columnId });

describe('WIP limits', () => {
  it('refuse a move into a full hard-limited column, naming the column and limit; the card stays and nobody is told it moved', async () => {
    const b = await maintenanceBoard(2);
    const [t1, t2, t3] = [await ticket(b.id, 'T1'), await ticket(b.id, 'T2'), await ticket(b.id, 'T3')];
    expect((await move(b.id, t1.id, b.doing.id)).status).toBe(200);
    expect((await move(b.id, t2.id, b.doing.id)).status).toBe(200);

    const watcher: ClientSocket = await socketFor(server, server.admin);
    const seen: string[] = [];
    try {
      await watcher.emitWithAck('board:join', { boardId: b.id });
      // Card events only: an incident's SLA clock announces its own changes (sla.clock) beside them.
      watcher.on('board:events', (batch) =>
        seen.push(...batch.filter((e) => e.type.startsWith('card')).map((e) => `${e.type}:${e.cardId}`)),
      );
      const refused = await move(b.id, t3.id, b.doing.id);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error: 'WIP_LIMIT_REACHED',
        message: 'column "In progress" is at its WIP limit of 2',
        columnName: 'In progress',
        limit: 2,
        card: { id: t3.id, columnId: null, version: 1 },
      });
      // A later accepted change proves the watcher was listening; the refused move never reached it.
      await move(b.id, t1.id, b.done);
      await eventually(() => seen.length > 0);
      expect(seen).toEqual([`card.moved:${t1.id}`]);
    } finally {
      watcher.close();
    }
  });

  it('accept but warn with the warn policy', async () => {
    const b = await maintenanceBoard(1, 'warn');
    await move(b.id, (await ticket(b.id, 'A')).id, b.doing.id);
    const over = await move(b.id, (await ticket(b.id, 'B')).id, b.doing.id);
    expect(over.status).toBe(200);
    expect(over.body.warning).toMatch(/WIP limit of 1/);
  });

  it('tell only the mover, in the socket acknowledgement, that a warn-policy column is over its limit', async () => {
    const b = await maintenanceBoard(1, 'warn');
    await move(b.id, (await ticket(b.id, 'A')).id, b.doing.id);
    const second = await ticket(b.id, 'B');
    const socket = await socketFor(server, server.admin);
    try {
      await socket.emitWithAck('board:join', { boardId: b.id });
      const ack = await socket.emitWithAck('card:move', {
        boardId: b.id,
        cardId: second.id,
        columnId: b.doing.id,
      });
      expect(ack).toMatchObject({ ok: true, warning: expect.stringMatching(/WIP limit of 1/) });
    } finally {
      socket.close();
    }
  });

  it('let expedite items through when the column exempts them, and not otherwise', async () => {
    const b = await maintenanceBoard(1);
    await move(b.id, (await ticket(b.id, 'Standard')).id, b.doing.id);
    const urgent = await ticket(b.id, 'Prod down', { classOfService: 'expedite' });
    expect((await move(b.id, urgent.id, b.doing.id)).status).toBe(200);
    await server.admin.ok(
      server.admin.patch(`/api/boards/${b.id}/columns/${b.doing.id}`, {
        version: b.doing.version,
        expediteExempt: false,
      }),
    );
    const urgent2 = await ticket(b.id, 'Also down', { classOfService: 'expedite' });
    expect((await move(b.id, urgent2.id, b.doing.id)).status).toBe(409);
  });

  it('keep development cards out of maintenance columns', async () => {
    const b = await maintenanceBoard(3);
    const story = await server.admin.createCard(b.id, { title: 'A story' });
    const res = await move(b.id, story.id, b.doing.id);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'columnId' });
  });

  it('are configured by board admins and product owners only, with validation', async () => {
    const b = await maintenanceBoard(3);
    const eng = await memberWithRole(server, b.id, 'maintenance');
    const path = `/api/boards/${b.id}/columns/${b.doing.id}`;
    expect((await eng.patch(path, { version: b.doing.version, wipLimit: 10 })).status).toBe(403);
    const bad = await server.admin.patch(path, { version: b.doing.version, wipLimit: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'wipLimit' });
    const policies = await server.admin.ok(
      server.admin.patch<Column>(path, {
        version: b.doing.version,
        entryPolicy: 'Reproduced and triaged',
        exitPolicy: 'Fix deployed',
      }),
    );
    expect(policies).toMatchObject({
      wipLimit: 3,
      entryPolicy: 'Reproduced and triaged',
      exitPolicy: 'Fix deployed',
    });
  });
});

describe('pulling work', () => {
  it('takes the top unblocked maintenance item (expedite first) and assigns it to the engineer who pulled', async () => {
    const b = await maintenanceBoard(3);
    const eng = await memberWithRole(server, b.id, 'maintenance');
    await ticket(b.id, 'Blocked top', { position: 'top' }).then((c) =>
      server.admin.ok(
        server.admin.patch(`/api/boards/${b.id}/cards/${c.id}`, {
          version: 1,
          blocked: true,
          blockedReason: 'vendor',
        }),
      ),
    );
    await ticket(b.id, 'Second');
    await ticket(b.id, 'Expedite at the bottom', { classOfService: 'expedite' });
    const first = await eng.ok(eng.post<{ card: Card }>(`/api/boards/${b.id}/columns/${b.doing.id}/pull`));
    expect(first.card).toMatchObject({
      title: 'Expedite at the bottom',
      columnId: b.doing.id,
      assigneeId: eng.userId,
    });
    const second = await eng.ok(eng.post<{ card: Card }>(`/api/boards/${b.id}/columns/${b.doing.id}/pull`));
    expect(second.card.title).toBe('Second');
    const nothing = await eng.post(`/api/boards/${b.id}/columns/${b.doing.id}/pull`);
    expect(nothing.status).toBe(404);
  });

  it('gives racing pulls into different columns different cards, each pulled once', async () => {
    const b = await maintenanceBoard(10);
    const eng = await memberWithRole(server, b.id, 'maintenance');
    for (let i = 0; i < 6; i++) await ticket(b.id, `Ticket ${i}`);
    const pulls = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        eng.post<{ card: Card }>(`/api/boards/${b.id}/columns/${i % 2 ? b.doing.id : b.ready}/pull`),
      ),
    );
    expect(pulls.map((p) => p.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(pulls.map((p) => p.body.card.id)).size).toBe(6);
    const cards = (await server.admin.cards(b.id)).filter((c) => c.stream === 'maintenance');
    expect(cards.filter((c) => c.columnId === b.doing.id)).toHaveLength(3);
    expect(cards.filter((c) => c.columnId === b.ready)).toHaveLength(3);
  });

  it('does not pass over the top item while a row that refers to it is being written', async () => {
    // A background writer (SLA clock, inbox watcher) inserting a row that references the card holds
    // a key-share lock on it until it commits. The pull used to skip it for the next item down.
    const b = await maintenanceBoard(3);
    const eng = await memberWithRole(server, b.id, 'maintenance');
    const top = await ticket(b.id, 'Urgent', { classOfService: 'expedite' });
    await ticket(b.id, 'Ordinary');
    const writer = new pg.Client({ connectionString: server.databaseUrl });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query('select id from cards where id = $1 for key share', [top.id]);
      const pulled = await eng.ok(eng.post<{ card: Card }>(`/api/boards/${b.id}/columns/${b.doing.id}/pull`));
      expect(pulled.card.title).toBe('Urgent');
      await writer.query('commit');
    } finally {
      await writer.end();
    }
  });
});

describe('flow metrics', () => {
  it('count cards per column per day and report cycle and lead times of finished items', async () => {
    const b = await maintenanceBoard(5);
    const t1 = await ticket(b.id, 'Done one');
    const t2 = await ticket(b.id, 'Still going');
    await move(b.id, t1.id, b.doing.id);
    await move(b.id, t1.id, b.done);
    await move(b.id, t2.id, b.doing.id);
    const report = await server.admin.ok(
      server.admin.get<FlowReport>(`/api/boards/${b.id}/reports/flow?days=7`),
    );
    expect(report.columns.map((c) => c.name)).toEqual(['Ready', 'In progress', 'Verify', 'Done']);
    expect(report.cumulativeFlow).toHaveLength(7);
    const todayCounts = report.cumulativeFlow.at(-1)!.counts;
    expect(todayCounts[b.doing.id]).toBe(1);
    expect(todayCounts[b.done]).toBe(1);
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({ key: t1.key });
    expect(report.items[0]!.cycleTimeHours).toBeGreaterThanOrEqual(0);
    expect(report.items[0]!.leadTimeHours).toBeGreaterThanOrEqual(report.items[0]!.cycleTimeHours!);
  });
});
