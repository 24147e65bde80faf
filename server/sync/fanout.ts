/**
 * Board events recorded by OTHER server instances reach this instance's sockets through the event
 * log itself: each event's commit announces `boardId:seq:origin` on a PostgreSQL channel
 * (event-log.ts), and here one listening connection collects the announcements of other origins and
 * reads those events back, a batch per board per event-loop turn.
 *
 * Events go to the sockets only, never to this instance's bus: hooks and other in-process reactions
 * run once, on the instance that recorded the change.
 */
import type pg from 'pg';
import type { BoardEvent } from '../../protocol/model.ts';
import type { Db } from '../infra/database.ts';
import { EVENTS_CHANNEL, eventsBySeq } from './event-log.ts';

const RECONNECT_MS = 1000;

export interface RemoteEvents {
  close(): Promise<void>;
}

export async function listenForRemoteEvents(
  pool: pg.Pool,
  db: Db,
  origin: string,
  deliver: (events: BoardEvent[]) => void,
  onError: (err: unknown) => void = () => {},
  /** called each time it listens again after losing its connection (not at the first start) */
  onRelistened: () => void = () => {},
): Promise<RemoteEvents> {
  const pending = new Map<string, number[]>();
  let scheduled = false;
  let closed = false;

  const fetchPending = async () => {
    scheduled = false;
    const boards = [...pending];
    pending.clear();
    for (const [boardId, seqs] of boards) {
      try {
        deliver(await eventsBySeq(db, boardId, seqs));
      } catch (err) {
        onError(err);
      }
    }
  };

  const onNotification = (msg: pg.Notification) => {
    const [boardId, seq, from] = (msg.payload ?? '').split(':');
    if (!boardId || !seq || from === origin) return;
    const seqs = pending.get(boardId);
    if (seqs) seqs.push(Number(seq));
    else pending.set(boardId, [Number(seq)]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void fetchPending());
    }
  };

  /** The listening connection; released to the pool once, by an error or by close(), never twice. */
  const listen = (c: pg.PoolClient) => {
    let released = false;
    const onClientError = (err: Error) => {
      onError(err);
      release(err);
      // Events announced while disconnected are sent once it listens again (onRelistened).
      reconnectLater();
    };
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      if (client?.c === c) client = null;
      c.off('notification', onNotification);
      c.off('error', onClientError); // from here on the pool's own idle listener hears its errors
      c.release(err);
    };
    c.on('notification', onNotification);
    c.on('error', onClientError);
    return { c, release };
  };
  let client: ReturnType<typeof listen> | null = null;

  // Until it listens again: PostgreSQL may stay away longer than one try (a restart, a failover).
  const reconnectLater = () => {
    if (closed) return;
    setTimeout(() => {
      if (closed) return;
      connect().then(onRelistened, (err) => {
        onError(err);
        reconnectLater();
      });
    }, RECONNECT_MS);
  };

  const connect = async (): Promise<void> => {
    const held = listen(await pool.connect());
    try {
      await held.c.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      held.release(err as Error);
      throw err;
    }
    if (closed) held.release();
    else client = held;
  };
  await connect();

  return {
    async close() {
      closed = true;
      const held = client;
      client = null;
      if (!held) return;
      try {
        await held.c.query(`UNLISTEN ${EVENTS_CHANNEL}`);
      } finally {
        held.release();
      }
    },
  };
}
