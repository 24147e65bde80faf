/**
 * Shaping a board's columns: column edits carry a version, so a stale edit is refused instead of
 * overwriting a colleague's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, Snapshot, Stream } from '../protocol/model.ts';
import { memberWithRole, startServer, type TestServer } from './harness.ts';

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
