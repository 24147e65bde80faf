/**
 * The bell on the tab's shared socket: its count is read when the socket (re)connects, and at once
 * when the socket is already up as the bell starts (a board leased it first); its listener leaves
 * with it on sign-out, while the board's stays.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Api } from '../api.ts';
import { type BoardSocket, SharedSocket } from '../socket.ts';
import { Inbox } from './inbox.svelte.ts';

class FakeSocket extends EventEmitter {
  connected = false;
  active = true;
  io = new EventEmitter();
  close() {
    this.connected = false;
  }
  connect() {}
}

function setUp() {
  let reads = 0;
  const api = {
    request: async (_method: string, path: string) => {
      if (path === '/api/inbox/unread') reads++;
      return { unread: 3 };
    },
  } as unknown as Api;
  const fake = new FakeSocket();
  const shared = new SharedSocket(() => fake as unknown as BoardSocket);
  return { api, fake, shared, reads: () => reads };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the bell on the shared socket', () => {
  it('reads its count when the socket connects', async () => {
    const { api, fake, shared, reads } = setUp();
    const inbox = new Inbox(api, shared);
    inbox.start();
    await settled();
    expect(reads()).toBe(0);
    fake.connected = true;
    fake.emit('connect');
    await settled();
    expect(reads()).toBe(1);
    expect(inbox.unread).toBe(3);
  });

  it('reads its count at once when the socket is already up', async () => {
    const { api, fake, shared, reads } = setUp();
    shared.lease(); // a board got there first
    fake.connected = true;
    const inbox = new Inbox(api, shared);
    inbox.start();
    await settled();
    expect(reads()).toBe(1);
    expect(inbox.unread).toBe(3);
  });

  it('takes its listener away on sign-out and leaves the board’s', () => {
    const { api, fake, shared } = setUp();
    const board = shared.lease();
    board.on('board:events', () => {});
    const inbox = new Inbox(api, shared);
    inbox.start();
    expect(fake.listenerCount('inbox:changed')).toBe(1);
    inbox.stop();
    expect(fake.listenerCount('inbox:changed')).toBe(0);
    expect(fake.listenerCount('board:events')).toBe(1);
    expect(shared.holders).toBe(1);
  });
});
