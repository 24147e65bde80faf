/**
 * The real-time connection: one typed socket.io client per open board, same origin, authenticated
 * by the session cookie. Reconnection is socket.io's; what to do after it is BoardState's.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../../protocol/socket.ts';

export type BoardSocket = Socket<ServerToClient, ClientToServer>;

export function connectBoardSocket(): BoardSocket {
  return io({
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
}
