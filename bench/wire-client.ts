/**
 * A socket.io client reduced to what a benchmark receiver needs, spoken over a bare WebSocket
 * (`ws`): engine.io protocol 4 (open packet, ping → pong) and socket.io protocol 5 on the main
 * namespace (connect, events, acknowledgements; no binary attachments, no reconnection).
 *
 * Why not socket.io-client: the 200 receivers stand in for 200 browsers, each on its own machine,
 * but here they share the server's two cores. Measured at 100 messages/s to 200 clients (20,000
 * frames/s), receivers on socket.io-client took ~87% of a core and on this client ~60%: about 13 µs
 * less per frame, CPU that would otherwise be taken from the server being measured. Both do the
 * same wire work (WebSocket framing, JSON.parse of every frame); this one skips socket.io-client's
 * packet decoder, event emitter layers and reconnection bookkeeping. The bench can still use
 * socket.io-client (BENCH_RECEIVER=socket.io-client), for the bare baseline and Blendboard alike.
 */
import WebSocket from 'ws';

type Handler = (payload: unknown) => void;

export class WireClient {
  private readonly ws: WebSocket;
  private readonly handlers = new Map<string, Handler>();
  private readonly acks = new Map<number, (payload: unknown) => void>();
  private nextAckId = 0;
  readonly connected: Promise<void>;

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.connected = new Promise((resolve, reject) => {
      this.ws.once('error', reject);
      this.ws.on('message', (data, isBinary) => {
        if (isBinary) return; // this client never asks for binary attachments
        const packet = data.toString();
        switch (packet[0]) {
          case '0': // engine.io open: connect to the main namespace
            this.ws.send('40');
            return;
          case '2': // engine.io ping
            this.ws.send('3');
            return;
          case '4':
            this.onSocketIoPacket(packet.slice(1), resolve, reject);
            return;
        }
      });
      this.ws.once('close', () => reject(new Error('closed before the namespace connected')));
    });
  }

  private onSocketIoPacket(packet: string, resolve: () => void, reject: (e: Error) => void) {
    const type = packet[0];
    if (type === '0')
      resolve(); // namespace connected
    else if (type === '4') reject(new Error(`connect refused: ${packet.slice(1)}`));
    else if (type === '2') {
      const [event, payload] = JSON.parse(packet.slice(1)) as [string, unknown];
      this.handlers.get(event)?.(payload);
    } else if (type === '3') {
      const open = packet.indexOf('[');
      const id = Number(packet.slice(1, open));
      const [payload] = JSON.parse(packet.slice(open)) as [unknown];
      const done = this.acks.get(id);
      this.acks.delete(id);
      done?.(payload);
    }
  }

  on(event: string, handler: Handler) {
    this.handlers.set(event, handler);
  }

  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  close() {
    this.ws.close();
  }
}
