/**
 * The real-time connection: one typed socket.io client per tab, same origin, authenticated by the
 * session cookie, shared by whatever needs it (the bell, the open board, the portal). Each of them
 * holds a lease; the socket opens with the first lease and closes when the last one is released.
 * A tab on a board used to hold two sockets (the board's and the bell's), which doubled both the
 * server's connections and a reconnect storm after a deploy.
 *
 * Reconnection is socket.io's, with jittered backoff; what to do after it (and after a join refused
 * as OVERLOADED) is each holder's (BoardState's for a board).
 */
import { io, type Socket } from 'socket.io-client';
import { type ClientToServer, RECONNECT_BACKOFF, type ServerToClient } from '../../../protocol/socket.ts';

export type BoardSocket = Socket<ServerToClient, ClientToServer>;

export function connectBoardSocket(): BoardSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    withCredentials: true,
    // Jittered backoff: after a deploy the clients of a board come back spread over seconds, not
    // together (each delay is drawn within ±50% of 1 s, 2 s, 4 s ... up to 10 s).
    reconnectionDelay: RECONNECT_BACKOFF.delayMs,
    reconnectionDelayMax: RECONNECT_BACKOFF.maxDelayMs,
    randomizationFactor: RECONNECT_BACKOFF.randomization,
  });
}

/**
 * One holder's use of the tab's socket. Listeners added through `on` and `onReconnect` are the
 * holder's own and leave with it, so releasing a board never silences the bell.
 */
export type SocketLease = Pick<BoardSocket, 'on' | 'emit' | 'timeout'> & {
  readonly connected: boolean;
  /** false once socket.io has given up (the server cut the socket, or refused its handshake) */
  readonly active: boolean;
  /** connects again after the server cut the socket (socket.io does not, by itself) */
  connect(): void;
  /** after socket.io's manager reconnected (frames may have been missed meanwhile) */
  onReconnect(listener: () => void): void;
  /** drops this holder's listeners; the last holder to let go closes the socket */
  release(): void;
};

type Listener = (...args: never[]) => void;
/** The socket's listener registry without its event typing: a lease passes listeners through as given. */
type Untyped = {
  on(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
};

export class SharedSocket {
  #socket: BoardSocket | null = null;
  #holders = 0;

  constructor(private readonly open: () => BoardSocket = connectBoardSocket) {}

  /** how many leases are held (the socket is open while this is above 0) */
  get holders(): number {
    return this.#holders;
  }

  lease(): SocketLease {
    this.#socket ??= this.open();
    const socket = this.#socket;
    // One that socket.io gave up on (the server cut it, or refused its handshake) is tried again for
    // a new holder, as a socket of its own would have been.
    if (!socket.active) socket.connect();
    this.#holders++;
    const untyped = socket as unknown as Untyped;
    const listeners: [string, Listener][] = [];
    const reconnects: (() => void)[] = [];
    let released = false;
    const on = (event: string, listener: Listener) => {
      if (released) return socket;
      untyped.on(event, listener);
      listeners.push([event, listener]);
      return socket;
    };
    return {
      get connected() {
        return socket.connected;
      },
      get active() {
        return socket.active;
      },
      on: on as unknown as BoardSocket['on'],
      emit: socket.emit.bind(socket) as BoardSocket['emit'],
      timeout: (ms: number) => socket.timeout(ms),
      connect: () => {
        if (!released && !socket.connected) socket.connect();
      },
      onReconnect: (listener) => {
        if (released) return;
        socket.io.on('reconnect', listener);
        reconnects.push(listener);
      },
      release: () => {
        if (released) return;
        released = true;
        for (const [event, listener] of listeners) untyped.off(event, listener);
        for (const listener of reconnects) socket.io.off('reconnect', listener);
        this.#holders--;
        if (this.#holders === 0 && this.#socket === socket) {
          this.#socket = null;
          socket.close();
        }
      },
    };
  }
}
