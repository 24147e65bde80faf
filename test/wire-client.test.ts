/**
 * The benchmark's lean receiver (bench/wire-client.ts) against a real socket.io server: if it
 * miscounted or dropped frames, the bench's delivery figures would be wrong.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { WireClient } from '../bench/wire-client.ts';

let http: HttpServer | undefined;
let io: Server | undefined;
const clients: WireClient[] = [];

async function start(options: ConstructorParameters<typeof Server>[1] = {}) {
  http = createServer();
  io = new Server(http, options);
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

function client(url: string, headers?: Record<string, string>) {
  const c = new WireClient(url, headers);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await io?.close();
  io = undefined;
  http = undefined;
});

describe('bench WireClient', () => {
  it('connects, receives events in order with their payloads, and gets acknowledgements', async () => {
    const { io, url } = await start();
    io.on('connection', (socket) => {
      socket.on('board:join', (frame: { boardId: string }, ack: (reply: unknown) => void) => {
        ack({ ok: true, boardId: frame.boardId, cookie: socket.handshake.headers.cookie });
        socket.emit('board:events', [{ seq: 1 }, { seq: 2 }]);
        socket.emit('board:events', [{ seq: 3, text: 'a "quoted" [bracket]' }]);
      });
    });
    const c = client(url, { cookie: 'sid=abc' });
    const received: unknown[] = [];
    c.on('board:events', (batch) => received.push(batch));
    await c.connected;

    const first = await c.emitWithAck('board:join', { boardId: 'b1' });
    const second = await c.emitWithAck('board:join', { boardId: 'b2' });

    expect(first).toEqual({ ok: true, boardId: 'b1', cookie: 'sid=abc' });
    expect(second).toEqual({ ok: true, boardId: 'b2', cookie: 'sid=abc' });
    await expect.poll(() => received.length).toBe(4);
    expect(received).toEqual([
      [{ seq: 1 }, { seq: 2 }],
      [{ seq: 3, text: 'a "quoted" [bracket]' }],
      [{ seq: 1 }, { seq: 2 }],
      [{ seq: 3, text: 'a "quoted" [bracket]' }],
    ]);
  });

  it('answers heartbeats, so the server keeps it connected past its ping timeout', async () => {
    const { io, url } = await start({ pingInterval: 50, pingTimeout: 50 });
    const disconnects: string[] = [];
    io.on('connection', (socket) => socket.on('disconnect', (reason) => disconnects.push(reason)));
    const c = client(url);
    const received: unknown[] = [];
    c.on('msg', (m) => received.push(m));
    await c.connected;

    await new Promise((r) => setTimeout(r, 600)); // a dozen ping rounds
    io.emit('msg', { id: 7 });

    await expect.poll(() => received).toEqual([{ id: 7 }]);
    expect(disconnects).toEqual([]);
  });

  it('rejects `connected` with the reason when the server refuses the connection', async () => {
    const { io, url } = await start();
    io.use((_socket, next) => next(new Error('not signed in')));

    await expect(client(url).connected).rejects.toThrow(/connect refused: .*not signed in/);
  });
});
