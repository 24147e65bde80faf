/**
 * The bell on the tab's shared socket: its count is read when the socket (re)connects, and at once
 * when the socket is already up as the bell starts (a board leased it first); its listener leaves
 * with it on sign-out, while the board's stays.
 */
import { describe, expect, it } from 'vitest';
import type { Api } from '../api.ts';
import { fakeTab } from '../test-socket.ts';
import { Inbox } from './inbox.svelte.ts';

function setUp() {
  let reads = 0;
  const api = {
    request: async (_method: string, path: string) => {
      if (path === '/api/inbox/unread') reads++;
      return { unread: 3 };
    },
  } as unknown as Api;
  // The socket opens with the first lease, not yet connected.
  const { shared, opened } = fakeTab({ connected: false });
  return { api, shared, fake: () => opened[0]!, reads: () => reads };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the bell on the shared socket', () => {
  it('reads its count when the socket connects', async () => {
    const { api, fake, shared, reads } = setUp();
    const inbox = new Inbox(api, shared);
    inbox.start();
    await settled();
    expect(reads()).toBe(0);
    fake().connected = true;
    fake().fire('connect');
    await settled();
    expect(reads()).toBe(1);
    expect(inbox.unread).toBe(3);
  });

  it('reads its count at once when the socket is already up', async () => {
    const { api, fake, shared, reads } = setUp();
    shared.lease(); // a board got there first
    fake().connected = true;
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
    expect(fake().listenerCount('inbox:changed')).toBe(1);
    inbox.stop();
    expect(fake().listenerCount('inbox:changed')).toBe(0);
    expect(fake().listenerCount('board:events')).toBe(1);
    expect(shared.holders).toBe(1);
  });
});
