/**
 * A worker thread holding a share of the benchmark's receiving clients, so that parsing 200 clients'
 * frames is spread over threads like it would be over browsers. It counts, per message id, how many
 * of its clients received it and when the last one did (absolute ms: timeOrigin + now).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';

interface Setup {
  url: string;
  count: number;
  cookie?: string;
  boardId?: string;
  event: 'msg' | 'board:events';
  idField: 'id' | 'seq';
}
const setup = workerData as Setup;
const now = () => performance.timeOrigin + performance.now();
let got = new Map<number, [count: number, last: number]>();

async function main() {
  const sockets: Socket[] = [];
  for (let i = 0; i < setup.count; i += 20) {
    const batch = Array.from({ length: Math.min(20, setup.count - i) }, () =>
      io(setup.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        extraHeaders: setup.cookie ? { cookie: setup.cookie } : {},
      }),
    );
    await Promise.all(
      batch.map(
        (s) =>
          new Promise<void>((resolve, reject) => {
            s.once('connect', () => resolve());
            s.once('connect_error', reject);
          }),
      ),
    );
    if (setup.boardId) {
      for (const s of batch) {
        const ack = (await s.emitWithAck('board:join', { boardId: setup.boardId })) as { ok: boolean };
        if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
      }
    }
    sockets.push(...batch);
  }
  for (const s of sockets) {
    // The bare baseline sends one message per frame; Blendboard batches events into one frame.
    s.on(setup.event, (frame: Record<string, number> | Record<string, number>[]) => {
      const at = now();
      for (const m of Array.isArray(frame) ? frame : [frame]) {
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
      for (const s of sockets) s.close();
      process.exit(0);
    }
  });
  parentPort!.postMessage('ready');
}
main().catch((err) => {
  parentPort!.postMessage({ error: String(err) });
});
