/** Opening a board over HTTP: compressed, the same JSON for every client, current after each change. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../protocol/model.ts';
import { memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** GET without accepting gzip (a client with no decompression): status, headers and the body text. */
function plainGet(path: string, cookie: string) {
  return new Promise<{ status: number; encoding?: string; text: string }>((resolve, reject) => {
    const req = request(`${server.baseUrl}${path}`, { headers: { cookie } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, encoding: res.headers['content-encoding'], text }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('opening a board', () => {
  it('sends the snapshot gzip-compressed to a client that takes gzip, plain to one that does not, the same JSON', async () => {
    const boardId = (await server.admin.createBoard('Opened')).id;
    await server.admin.createCard(boardId, { title: 'first' });
    const zipped = await server.admin.request<Snapshot>('GET', `/api/boards/${boardId}`, undefined, {
      'accept-encoding': 'gzip',
    });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const plain = await plainGet(`/api/boards/${boardId}`, server.admin.sessionCookie!);
    expect(plain.encoding).toBeUndefined();
    expect(JSON.parse(plain.text)).toEqual(zipped.body);
    expect(zipped.body.cards.map((c) => c.title)).toEqual(['first']);
    expect(zipped.body.board).toMatchObject({ id: boardId, role: 'admin', seq: zipped.body.seq });
  });

  it('shows each change to the next open, and each reader their own role', async () => {
    const boardId = (await server.admin.createBoard('Changing')).id;
    await server.admin.createCard(boardId, { title: 'one' });
    const viewer = await memberWithRole(server, boardId, 'viewer', 'Vi');
    const before = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    await server.admin.createCard(boardId, { title: 'two' });
    const after = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    expect(after.seq).toBeGreaterThan(before.seq);
    expect(after.cards.map((c) => c.title).sort()).toEqual(['one', 'two']);
    const seenByViewer = await viewer.ok(viewer.get<Snapshot>(`/api/boards/${boardId}`));
    expect(seenByViewer.board.role).toBe('viewer');
    expect(seenByViewer.cards).toEqual(after.cards);
    const again = await server.admin.ok(server.admin.get<Snapshot>(`/api/boards/${boardId}`));
    expect(again.board.role).toBe('admin');
  });

  it('still refuses a reader who is not on the board, cached or not', async () => {
    const boardId = (await server.admin.createBoard('Private')).id;
    await server.admin.ok(server.admin.get(`/api/boards/${boardId}`));
    const other = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'developer');
    // Not on the board: as before, the board is not found for them.
    expect((await other.get(`/api/boards/${boardId}`)).status).toBe(404);
  });
});
