import type { BoardEvent } from '../../../../protocol/model.ts';

/** What a panel that re-reads itself needs of the board: its events. */
interface EventSource {
  onEvent(listener: (event: BoardEvent) => void): () => void;
}

/**
 * Calls `reload` once, `afterMs` after the first board event whose type `matches`, however many
 * follow in that time: a burst of moves is one re-read, not one per move. Returns the way to stop.
 */
export function reloadOnEvents(
  board: EventSource,
  matches: RegExp,
  reload: () => void,
  afterMs = 800,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stop = board.onEvent((event) => {
    if (!matches.test(event.type) || timer) return;
    timer = setTimeout(() => {
      timer = null;
      reload();
    }, afterMs);
  });
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}
