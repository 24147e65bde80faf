/**
 * Flag changes made by OTHER server instances: one listening connection hears `<origin>:<key>` on
 * FLAGS_CHANNEL (sent at the commit of each change, repo.ts) and calls back with the key. After a
 * lost connection it reconnects and calls back with no key: changes may have been missed, so the
 * caller reloads everything.
 */
import type pg from 'pg';
import { FLAGS_CHANNEL } from './repo.ts';

const RECONNECT_MS = 1000;

export interface FlagChangeListener {
  close(): Promise<void>;
}

export async function listenForFlagChanges(
  pool: pg.Pool,
  origin: string,
  changed: (key: string | null) => void,
  onError: (err: unknown) => void = () => {},
): Promise<FlagChangeListener> {
  let closed = false;
  let client: { c: pg.PoolClient; release: (err?: Error) => void } | null = null;

  const onNotification = (msg: pg.Notification) => {
    const payload = msg.payload ?? '';
    const at = payload.indexOf(':');
    if (at < 0 || payload.slice(0, at) === origin) return;
    changed(payload.slice(at + 1));
  };

  const connect = async (): Promise<void> => {
    const c = await pool.connect();
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      c.off('notification', onNotification);
      c.off('error', onClientError);
      if (client?.c === c) client = null;
      c.release(err);
    };
    const onClientError = (err: Error) => {
      onError(err);
      release(err);
      if (!closed) setTimeout(reconnect, RECONNECT_MS);
    };
    c.on('notification', onNotification);
    c.on('error', onClientError);
    try {
      await c.query(`LISTEN ${FLAGS_CHANNEL}`);
    } catch (err) {
      release(err as Error);
      throw err;
    }
    if (closed) release();
    else client = { c, release };
  };
  const reconnect = () => {
    if (closed) return;
    connect()
      .then(() => changed(null))
      .catch((err) => {
        onError(err);
        setTimeout(reconnect, RECONNECT_MS);
      });
  };
  await connect();

  return {
    async close() {
      closed = true;
      const held = client;
      client = null;
      if (!held) return;
      try {
        await held.c.query(`UNLISTEN ${FLAGS_CHANNEL}`);
      } finally {
        held.release();
      }
    },
  };
}
