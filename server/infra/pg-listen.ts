/**
 * One PostgreSQL connection LISTENing on a channel for as long as the server runs: it survives a lost
 * connection (PostgreSQL restarted, a failover) by trying again every second, and says when it
 * listens again, since what was announced meanwhile was heard by nobody. The connection is released
 * to the pool exactly once, by an error or by close().
 */
import type pg from 'pg';

const RECONNECT_MS = 1000;

export interface ChannelListener {
  close(): Promise<void>;
}

export async function listenOnChannel(
  pool: pg.Pool,
  channel: string,
  onPayload: (payload: string) => void,
  {
    onError = () => {},
    onRelistened = () => {},
  }: {
    onError?: (err: unknown) => void;
    /** each time it listens again after losing its connection (not at the first start) */
    onRelistened?: () => void;
  } = {},
): Promise<ChannelListener> {
  let closed = false;
  let client: { c: pg.PoolClient; release: (err?: Error) => void } | null = null;
  const onNotification = (msg: pg.Notification) => onPayload(msg.payload ?? '');

  const connect = async (): Promise<void> => {
    const c = await pool.connect();
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      if (client?.c === c) client = null;
      c.off('notification', onNotification);
      c.off('error', onClientError); // from here on the pool's own idle listener hears its errors
      c.release(err);
    };
    const onClientError = (err: Error) => {
      onError(err);
      release(err);
      reconnectLater();
    };
    c.on('notification', onNotification);
    c.on('error', onClientError);
    try {
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      release(err as Error);
      throw err;
    }
    if (closed) release();
    else client = { c, release };
  };
  // Until it listens again: PostgreSQL may stay away longer than one try.
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
  await connect();

  return {
    async close() {
      closed = true;
      const held = client;
      client = null;
      if (!held) return;
      try {
        await held.c.query(`UNLISTEN ${channel}`);
      } finally {
        held.release();
      }
    },
  };
}
