/** The POST itself against a real local HTTP server: the address check at connect time, timeouts. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postNotification } from './sender.ts';

let server: Server;
let port: number;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/slow') return; // never answers
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('postNotification', () => {
  it('refuses a host name that resolves to a loopback address when private targets are not allowed', async () => {
    const before = hits;
    const out = await postNotification(
      `http://localhost:${port}/x`,
      '{}',
      {},
      { timeoutMs: 2000, allowPrivate: false },
    );
    expect(out).toMatchObject({ delivered: false, status: null, retry: false });
    expect(out.error).toContain('non-public');
    expect(hits).toBe(before);
  });

  it('sends to it when they are allowed', async () => {
    const out = await postNotification(
      `http://localhost:${port}/x`,
      '{}',
      {},
      { timeoutMs: 2000, allowPrivate: true },
    );
    expect(out).toEqual({ delivered: true, status: 200, error: null, retry: false });
  });

  it('gives up on a receiver that does not answer in time, and calls it worth retrying', async () => {
    const started = Date.now();
    const out = await postNotification(
      `http://127.0.0.1:${port}/slow`,
      '{}',
      {},
      { timeoutMs: 300, allowPrivate: true },
    );
    expect(out).toMatchObject({ delivered: false, retry: true });
    expect(out.error).toContain('300 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('calls a refused connection worth retrying', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const out = await postNotification(
      `http://127.0.0.1:${p}/`,
      '{}',
      {},
      { timeoutMs: 1000, allowPrivate: true },
    );
    expect(out).toMatchObject({ delivered: false, status: null, retry: true });
  });
});
