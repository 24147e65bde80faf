/**
 * One frame to a board's watchers, a slice of sockets at a time, the event loop serving its other
 * I/O between slices. A socket write costs tens of microseconds, so a frame to 2,000 watchers sent in
 * one go holds the server's only thread for tens of milliseconds; every other board's move waiting
 * for its database answer or its frame waits that long too. Sent in slices, that wait is one slice's.
 * Measured in docs/performance.md, "Broadcasts in slices".
 */
export const BROADCAST_SLICE = 20;

export interface SlicedSend<Id> {
  /** who was watching when the frame was ready */
  watchers: readonly Id[];
  /** whether a socket still watches: one that left (rights lowered, board left) since gets nothing */
  stillWatching: (id: Id) => boolean;
  send: (slice: Id[]) => void;
  /** runs the next slice after pending I/O (setImmediate) */
  later: (next: () => void) => void;
  /** when every slice is sent; busyMs is the time spent sending, without the waits between */
  done: (busyMs: number) => void;
  size?: number;
}

export function sendInSlices<Id>({
  watchers,
  stillWatching,
  send,
  later,
  done,
  size = BROADCAST_SLICE,
}: SlicedSend<Id>): void {
  let busyMs = 0;
  const sendFrom = (from: number) => {
    const start = performance.now();
    const slice = watchers.slice(from, from + size).filter(stillWatching);
    if (slice.length > 0) send(slice);
    busyMs += performance.now() - start;
    if (from + size < watchers.length) later(() => sendFrom(from + size));
    else done(busyMs);
  };
  sendFrom(0);
}

/**
 * Per key (a board), one frame in flight at a time, so every socket gets a board's frames in the
 * order they were made even when a frame takes several turns to reach everyone. A frame made
 * meanwhile waits, merged with any other waiting one into a single frame that goes next.
 */
export class OneInFlight<Frame> {
  private readonly waiting = new Map<string, Frame | null>();

  constructor(
    private readonly merge: (earlier: Frame, later: Frame) => Frame,
    private readonly start: (key: string, frame: Frame, done: () => void) => void,
  ) {}

  send(key: string, frame: Frame): void {
    if (this.waiting.has(key)) {
      const earlier = this.waiting.get(key);
      this.waiting.set(key, earlier ? this.merge(earlier, frame) : frame);
      return;
    }
    this.waiting.set(key, null);
    this.run(key, frame);
  }

  private run(key: string, frame: Frame) {
    this.start(key, frame, () => {
      const next = this.waiting.get(key);
      if (!next) {
        this.waiting.delete(key);
        return;
      }
      this.waiting.set(key, null);
      this.run(key, next);
    });
  }
}
