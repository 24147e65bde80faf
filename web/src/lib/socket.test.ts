/**
 * The tab's one socket: the bell, a board and the portal each lease it, and letting go of one never
 * takes the others' listeners or connection.
 */
import { describe, expect, it } from 'vitest';
import { fakeTab as tab } from './test-socket.ts';

describe('the tab’s shared socket', () => {
  it('opens one socket for every holder and closes it when the last one lets go', () => {
    const { shared, opened } = tab();
    const bell = shared.lease();
    const board = shared.lease();
    expect(opened).toHaveLength(1);
    expect(shared.holders).toBe(2);

    board.release();
    expect(opened[0]!.closed).toBe(0);
    bell.release();
    expect(opened[0]!.closed).toBe(1);
    expect(shared.holders).toBe(0);

    // Signed in again (another person, perhaps): a fresh socket, with the cookie of now.
    shared.lease();
    expect(opened).toHaveLength(2);
  });

  it('takes only the released holder’s listeners with it', () => {
    const { shared, opened } = tab();
    const heard: string[] = [];
    const bell = shared.lease();
    const board = shared.lease();
    bell.on('inbox:changed', () => heard.push('bell'));
    bell.on('connect', () => heard.push('bell connect'));
    board.on('board:events', () => heard.push('board'));
    board.on('connect', () => heard.push('board connect'));
    board.onReconnect(() => heard.push('board reconnect'));
    bell.onReconnect(() => heard.push('bell reconnect'));

    board.release();
    const socket = opened[0]!;
    socket.fire('board:events', []);
    socket.fire('inbox:changed', { unread: 1 });
    socket.fire('connect');
    socket.io.emit('reconnect');
    expect(heard).toEqual(['bell', 'bell connect', 'bell reconnect']);
    expect(socket.listenerCount('board:events')).toBe(0);
    expect(socket.listenerCount('connect')).toBe(1);
  });

  it('sends through the one socket and reports its state to each holder', () => {
    const { shared, opened } = tab();
    const bell = shared.lease();
    const board = shared.lease();
    board.emit('board:leave', { boardId: 'b' });
    expect(opened[0]!.sent).toEqual([['board:leave', { boardId: 'b' }]]);

    opened[0]!.connected = false;
    expect(bell.connected).toBe(false);
    board.connect(); // after the server cut it: everyone's socket comes back
    expect(opened[0]!.connects).toBe(1);
    expect(bell.connected).toBe(true);
    board.connect(); // already connected: nothing to do
    expect(opened[0]!.connects).toBe(1);
  });

  it('tries a socket socket.io gave up on again for a new holder', () => {
    const { shared, opened } = tab();
    shared.lease();
    const socket = opened[0]!;
    shared.lease();
    expect(socket.connects).toBe(0);
    // The server cut it (or refused its handshake): socket.io will not try again by itself.
    socket.active = false;
    socket.connected = false;
    shared.lease();
    expect(opened).toHaveLength(1);
    expect(socket.connects).toBe(1);
  });

  it('does nothing for a lease released twice or used after release', () => {
    const { shared, opened } = tab();
    const bell = shared.lease();
    const board = shared.lease();
    board.release();
    board.release();
    expect(shared.holders).toBe(1);
    expect(opened[0]!.closed).toBe(0);

    board.on('board:events', () => {});
    board.onReconnect(() => {});
    opened[0]!.connected = false;
    board.connect();
    expect(opened[0]!.listenerCount('board:events')).toBe(0);
    expect(opened[0]!.io.listenerCount('reconnect')).toBe(0);
    expect(opened[0]!.connects).toBe(0);
    bell.release();
    expect(opened[0]!.closed).toBe(1);
  });
});
