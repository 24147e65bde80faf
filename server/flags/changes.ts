/**
 * Flag changes made by OTHER server instances: one listening connection hears `<origin>:<key>` on
 * FLAGS_CHANNEL (sent at the commit of each change, repo.ts) and calls back with the key. After a
 * lost connection it reconnects and calls back with no key: changes may have been missed, so the
 * caller reloads everything.
 */
import type pg from 'pg';
import { type ChannelListener, listenOnChannel } from '../infra/pg-listen.ts';
import { FLAGS_CHANNEL } from './repo.ts';

export type FlagChangeListener = ChannelListener;

export function listenForFlagChanges(
  pool: pg.Pool,
  origin: string,
  changed: (key: string | null) => void,
  onError: (err: unknown) => void = () => {},
): Promise<FlagChangeListener> {
  const onPayload = (payload: string) => {
    const at = payload.indexOf(':');
    if (at < 0 || payload.slice(0, at) === origin) return;
    changed(payload.slice(at + 1));
  };
  return listenOnChannel(pool, FLAGS_CHANNEL, onPayload, { onError, onRelistened: () => changed(null) });
}
