/**
 * A fake of the socket lease a BoardState holds, for its unit tests: the listeners the board adds
 * can be fired (`deliver`, `cut`, `listeners`), joins are answered at once and moves wait for the
 * test to answer them.
 */
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { JoinAck, JoinFrame, MoveAck, MoveFrame } from '../../../../protocol/socket.ts';
import type { SocketLease } from '../socket.ts';

type Ack = (err: Error | null, reply: unknown) => void;

export class FakeLease {
  connected = true;
  active = true;
  /** reconnects the board asked for */
  connects = 0;
  /** the join frames sent, in order */
  readonly joins: JoinFrame[] = [];
  /** the moves sent, each waiting for the test's answer */
  readonly moves: { frame: MoveFrame; answer: (reply: MoveAck) => void }[] = [];
  readonly listeners = new Map<string, (...args: unknown[]) => void>();

  /**
   * `joinReplies`: the nth join gets the nth reply (the last one from then on). Without them every
   * join is answered as up to date: no events since the sequence the board sent.
   */
  constructor(private readonly joinReplies: JoinAck[] = []) {}

  /** the lease as the board sees it */
  get lease(): SocketLease {
    return this as unknown as SocketLease;
  }

  on(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.set(event, listener);
  }
  emit() {}
  connect() {
    this.connects++;
  }
  timeout() {
    return {
      emit: (event: string, frame: unknown, ack: Ack) => {
        if (event === 'board:join') {
          const join = frame as JoinFrame;
          this.joins.push(join);
          const replies = this.joinReplies;
          ack(
            null,
            replies.length > 0
              ? replies[Math.min(this.joins.length, replies.length) - 1]
              : { ok: true, mode: 'events', seq: join.sinceSeq ?? 0, events: [] },
          );
        }
        if (event === 'card:move')
          this.moves.push({ frame: frame as MoveFrame, answer: (reply) => ack(null, reply) });
      },
    };
  }

  /** board events, as the server broadcasts them */
  deliver(events: BoardEvent[]) {
    const listener = this.listeners.get('board:events');
    if (!listener) throw new Error('the board does not listen for board:events');
    listener(events);
  }

  /** the socket closes (`reason` as socket.io gives it) */
  cut(reason: string) {
    this.connected = false;
    const listener = this.listeners.get('disconnect');
    if (!listener) throw new Error('the board does not listen for disconnect');
    listener(reason);
  }
}
