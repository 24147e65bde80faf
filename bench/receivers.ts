/**
 * A worker thread holding a share of the benchmark's receiving clients, so that parsing 200 clients'
 * frames is spread over threads like it would be over browsers. It counts, per message id, how many
 * of its clients received it and when the last one did (absolute ms: timeOrigin + now).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { connectSocketIo, joinBoard } from './lib.ts';
import { WireClient } from './wire-client.ts';

export type ReceiverKind = 'wire' | 'socket.io-client';

interface Setup {
  url: string;
  count: number;
  kind: ReceiverKind;
  cookie?: string;
  boardId?: string;
  sinceSeq?: number;
  event: 'msg' | 'board:events';
  idField: 'id' | 'seq';
}
/** What both kinds of client offer the receiver. */
interface Receiver {
  on(event: string, handler: (payload: unknown) => void): void;
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
  close(): void;
}
const setup = workerData as Setup;
const now = () => performance.timeOrigin + performance.now();
let got = new Map<number, [count: number, last: number]>();

async function connect(): Promise<Receiver> {
  const headers: Record<string, string> = setup.cookie ? { cookie: setup.cookie } : {};
  if (setup.kind === 'wire') {
    const client = new WireClient(setup.url, headers);
    await client.connected;
    return client;
  }
  return connectSocketIo(setup.url, { extraHeaders: headers });
}

async function main() {
  const clients: Receiver[] = [];
  for (let i = 0; i < setup.count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, setup.count - i) }, connect));
    if (setup.boardId) {
      for (const c of batch) {
        await joinBoard(c, {
          boardId: setup.boardId,
          ...(setup.sinceSeq === undefined ? {} : { sinceSeq: setup.sinceSeq }),
        });
      }
    }
    clients.push(...batch);
  }
  for (const c of clients) {
    // The bare baseline sends one message per frame; Blendboard batches events into one frame.
    c.on(setup.event, (frame) => {
      const at = now();
      for (const m of (Array.isArray(frame) ? frame : [frame]) as Record<string, number>[]) {
        const id = m[setup.idField]!;
        const g = got.get(id);
        if (g) {
          g[0]++;
          g[1] = at;
        } else got.set(id, [1, at]);
      }
    });
  }
  parentPort!.on('message', (cmd: string) => {
    if (cmd === 'collect') {
      parentPort!.postMessage([...got.entries()]);
      got = new Map();
    } else if (cmd === 'close') {
      for (const c of clients) c.close();
      process.exit(0);
    }
  });
  parentPort!.postMessage('ready');
}
main().catch((err) => {
  parentPort!.postMessage({ error: String(err) });
});
