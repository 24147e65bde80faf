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
import { type ChannelListener, listenOnChannel } from '../infra/pg-listen.ts';
import { EVENTS_CHANNEL, eventsBySeq } from './event-log.ts';

export type RemoteEvents = ChannelListener;

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

  const onPayload = (payload: string) => {
    const [boardId, seq, from] = payload.split(':');
    if (!boardId || !seq || from === origin) return;
    const seqs = pending.get(boardId);
    if (seqs) seqs.push(Number(seq));
    else pending.set(boardId, [Number(seq)]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => void fetchPending());
    }
  };

  return listenOnChannel(pool, EVENTS_CHANNEL, onPayload, { onError, onRelistened });
}
