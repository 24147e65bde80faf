/**
 * Shaping a board's columns: a product owner reorders a stream's columns (everyone on the board sees
 * the new order from one event; a wrong order is refused and changes nothing; racing reorders leave
 * the positions a strict permutation), and column edits carry a version, so a stale edit is refused
 * instead of overwriting a colleague's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent, Column, ColumnsReordered, Snapshot, Stream } from '../protocol/model.ts';
import {
  type ApiClient,
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

async function snapshot(boardId: string): Promise<Snapshot> {
  return server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
}

/** The stream's column names, left to right, as the server has them. */
async function columnNames(boardId: string, stream: Stream): Promise<string[]> {
  return (await snapshot(boardId)).columns
    .filter((c) => c.stream === stream)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.name);
}

/** A board with a product owner on it, and its columns by stream and name. */
async function boardWithOwner(name: string) {
  const id = (await server.admin.createBoard(name)).id;
  const owner = await memberWithRole(server, id, 'product_owner');
  const { columns } = await snapshot(id);
  const column = (stream: Stream, columnName: string) =>
    columns.find((c) => c.stream === stream && c.name === columnName)!;
  return { id, owner, column };
}

const reorder = (client: ApiClient, boardId: string, stream: Stream, columnIds: string[]) =>
  client.put<ColumnsReordered>(`/api/boards/${boardId}/columns/order`, { stream, columnIds });

/** The board events a socket receives, whether a frame carries one event or a batch of them. */
function collectBoardEvents(socket: ClientSocket): BoardEvent[] {
  const events: BoardEvent[] = [];
  socket.onAny((name: string, frame: BoardEvent | BoardEvent[]) => {
    if (name.startsWith('board:event')) events.push(...(Array.isArray(frame) ? frame : [frame]));
  });
  return events;
}

describe('reordering columns', () => {
  it('puts the Kanban columns in the order the product owner gives; a colleague is told in one event', async () => {
    const b = await boardWithOwner('Reorder');
    const dev = await memberWithRole(server, b.id, 'maintenance');
    const [ready, doing, verify, done] = ['Ready', 'In progress', 'Verify', 'Done'].map(
      (n) => b.column('maintenance', n).id,
    ) as [string, string, string, string];
    const watcher = await socketFor(server, dev);
    try {
      await watcher.emitWithAck('board:join', { boardId: b.id });
      const seen = collectBoardEvents(watcher);

      const res = await reorder(b.owner, b.id, 'maintenance', [ready, verify, doing, done]);

      expect(res.status).toBe(200);
      expect(res.body.columns.map((c) => c.name)).toEqual(['Ready', 'Verify', 'In progress', 'Done']);
      expect(await columnNames(b.id, 'maintenance')).toEqual(['Ready', 'Verify', 'In progress', 'Done']);
      // The development stream shares the board's positions and did not move.
      expect(await columnNames(b.id, 'development')).toEqual(['To do', 'In progress', 'Review', 'Done']);
      await eventually(() => seen.length > 0);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toEqual(res.body.event);
      expect(seen[0]).toMatchObject({
        type: 'columns.reordered',
        payload: { stream: 'maintenance', columns: res.body.columns },
      });
      // The settings were not edited, so their version stays.
      expect(res.body.columns.map((c) => c.version)).toEqual([1, 1, 1, 1]);
    } finally {
      watcher.close();
    }
  });

  it('refuses an order that is not exactly the stream’s columns, naming columnIds, and changes nothing', async () => {
    const b = await boardWithOwner('Bad orders');
    const dev = ['To do', 'In progress', 'Review', 'Done'].map((n) => b.column('development', n).id);
    const before = await snapshot(b.id);
    const wrong = {
      'a column twice': [dev[1]!, dev[0]!, dev[1]!, dev[3]!],
      'a column left out': [dev[3]!, dev[2]!, dev[1]!],
      'a column of the other stream': [...dev, b.column('maintenance', 'Ready').id],
      'no columns at all': [],
    };
    for (const [what, columnIds] of Object.entries(wrong)) {
      const res = await reorder(b.owner, b.id, 'development', columnIds);
      expect(res.status, what).toBe(400);
      expect(res.body, what).toMatchObject({ error: 'VALIDATION_FAILED', field: 'columnIds' });
    }
    const after = await snapshot(b.id);
    expect(after.columns).toEqual(before.columns);
    expect(after.seq).toBe(before.seq); // nothing was recorded either
  });

  it('is for board admins and product owners only', async () => {
    const b = await boardWithOwner('Who reorders');
    const developer = await memberWithRole(server, b.id, 'developer');
    const ids = ['Done', 'Review', 'In progress', 'To do'].map((n) => b.column('development', n).id);
    expect((await reorder(developer, b.id, 'development', ids)).status).toBe(403);
    expect(await columnNames(b.id, 'development')).toEqual(['To do', 'In progress', 'Review', 'Done']);
  });
});

describe('column order under a race', () => {
  it('12 concurrent reorders of both streams leave the positions a strict permutation, in the last order committed', async () => {
    const b = await boardWithOwner('Race columns');
    const ids = (stream: Stream, names: string[]) => names.map((n) => b.column(stream, n).id);
    const dev = ids('development', ['To do', 'In progress', 'Review', 'Done']);
    const ams = ids('maintenance', ['Ready', 'In progress', 'Verify', 'Done']);
    const rotate = (list: string[], by: number) => [...list.slice(by), ...list.slice(0, by)];
    const orders = [0, 1, 2, 3, 4, 5].flatMap((i) => [
      {
        stream: 'development' as const,
        columnIds: i % 2 ? rotate(dev, i % 4).reverse() : rotate(dev, i % 4),
      },
      {
        stream: 'maintenance' as const,
        columnIds: i % 2 ? rotate(ams, i % 4) : rotate(ams, i % 4).reverse(),
      },
    ]);

    const results = await Promise.all(
      orders.map((o, i) => reorder(i % 3 ? server.admin : b.owner, b.id, o.stream, o.columnIds)),
    );
    expect(results.map((r) => r.status)).toEqual(orders.map(() => 200));

    const rows = await server.db
      .selectFrom('board_columns')
      .select(['id', 'stream', 'position'])
      .where('board_id', '=', b.id)
      .orderBy('position')
      .execute();
    expect(new Set(rows.map((r) => r.position)).size).toBe(8);
    // Each stream ends in the order of its reorder committed last (the highest sequence number).
    for (const stream of ['development', 'maintenance'] as const) {
      const last = results
        .map((r) => r.body)
        .filter((r) => r.event.payload.stream === stream)
        .sort((x, y) => y.event.seq - x.event.seq)[0]!;
      expect(rows.filter((r) => r.stream === stream).map((r) => r.id)).toEqual(last.columns.map((c) => c.id));
    }
    // And every reorder told the board a strict permutation of its stream.
    for (const { body } of results) {
      const positions = body.columns.map((c) => c.position);
      expect(new Set(positions).size).toBe(4);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
  });
});

describe('column edits carry a version', () => {
  it('refuses an edit made on an older version with 409 STALE_VERSION and the current column; nothing changes', async () => {
    const b = await boardWithOwner('Versions');
    const verify = b.column('maintenance', 'Verify');
    expect(verify.version).toBe(1);
    const path = `/api/boards/${b.id}/columns/${verify.id}`;

    // The owner and the admin both opened the settings at version 1; the owner saves first.
    const saved = await b.owner.ok(b.owner.patch<Column>(path, { version: 1, name: 'Test', wipLimit: 4 }));
    expect(saved).toMatchObject({ name: 'Test', wipLimit: 4, version: 2 });
    const before = await snapshot(b.id);

    const stale = await server.admin.patch<{ error: string; message: string; column: Column }>(path, {
      version: 1,
      wipLimit: 1,
    });

    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      error: 'STALE_VERSION',
      message: 'column "Test" changed since version 1; reload it',
      column: { id: verify.id, name: 'Test', wipLimit: 4, version: 2 },
    });
    const after = await snapshot(b.id);
    expect(after.columns).toEqual(before.columns);
    expect(after.seq).toBe(before.seq);

    // Made again on the current version, the edit goes through.
    const retried = await server.admin.ok(server.admin.patch<Column>(path, { version: 2, wipLimit: 1 }));
    expect(retried).toMatchObject({ name: 'Test', wipLimit: 1, version: 3 });
  });

  it('requires the version', async () => {
    const b = await boardWithOwner('No version');
    const res = await b.owner.patch(`/api/boards/${b.id}/columns/${b.column('development', 'Review').id}`, {
      name: 'QA',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', field: 'version' });
    expect(await columnNames(b.id, 'development')).toEqual(['To do', 'In progress', 'Review', 'Done']);
  });
});
