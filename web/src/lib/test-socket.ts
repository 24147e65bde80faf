/**
 * A fake of the tab's socket for unit tests: socket.io's client as far as a lease uses it, with an
 * EventEmitter for the listeners.
 */
import { EventEmitter } from 'node:events';
import { type BoardSocket, SharedSocket } from './socket.ts';

export class FakeSocket extends EventEmitter {
  connected = true;
  active = true;
  closed = 0;
  connects = 0;
  sent: unknown[][] = [];
  io = new EventEmitter();
  close() {
    this.closed++;
    this.connected = false;
  }
  connect() {
    this.connects++;
    this.connected = true;
    this.active = true;
  }
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    // Frames out are recorded; listeners are fired with fire() (socket.io's emit sends, it never calls back).
    this.sent.push([event, ...args]);
    return true;
  }
  fire(event: string, ...args: unknown[]) {
    return super.emit(event, ...args);
  }
}

/** A tab's SharedSocket over fakes, and every fake it opened, in order; `connected`: as each opens. */
export function fakeTab({ connected = true } = {}) {
  const opened: FakeSocket[] = [];
  const shared = new SharedSocket(() => {
    const s = new FakeSocket();
    s.connected = connected;
    opened.push(s);
    return s as unknown as BoardSocket;
  });
  return { shared, opened };
}
