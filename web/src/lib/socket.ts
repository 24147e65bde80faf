/**
 * The real-time connection: one typed socket.io client per open board, same origin, authenticated
 * by the session cookie. Reconnection is socket.io's, with jittered backoff; what to do after it (and
 * after a join refused as OVERLOADED) is BoardState's.
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
