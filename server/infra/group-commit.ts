/**
 * Group commit without a timer. Per key (a board, or one queue for the whole server) at most one
 * group of work is in flight; what arrives for the key meanwhile waits, and goes as the next group
 * when the one in flight is done. An idle key's item therefore leaves at once, alone, and a busy
 * key's items share one round trip and one commit. Nothing is held back waiting for company.
 *
 * Generic over the item and, through `Answer`, over the result its caller waits for. Used by card
 * moves and their reads, per board (server/cards/move-commits.ts, move-reads.ts), and by the
 * webhook inbound writer, one queue for all deliveries (server/plugin-host/inbound.ts).
 */

/** How an item's caller is answered once its group is done. */
export interface Answer<R> {
  resolve(result: R): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  /** keys with a group in flight → the items waiting for the next one */
  private readonly waiting = new Map<string, T[]>();

  constructor(
    /** does the work for one group; must settle every item it is given */
    private readonly run: (key: string, group: T[]) => Promise<void>,
    /** takes the next group off a key's queue (in place), leaving the rest queued */
    private readonly take: (queue: T[]) => T[],
    /** settles the items of a group whose `run` threw, and those still waiting behind it */
    private readonly abandon: (items: T[], err: unknown) => void,
  ) {}

  add(key: string, item: T): void {
    const queue = this.waiting.get(key);
    if (queue) queue.push(item);
    else {
      this.waiting.set(key, []);
      void this.drain(key, [item]);
    }
  }

  private async drain(key: string, first: T[]) {
    let group = first;
    try {
      while (group.length > 0) {
        await this.run(key, group);
        group = this.take(this.waiting.get(key)!);
      }
      this.waiting.delete(key);
    } catch (err) {
      const left = this.waiting.get(key) ?? [];
      this.waiting.delete(key);
      this.abandon([...group, ...left], err);
    }
  }
}

/** Queues `item` under `key` and waits for the answer its group gives it. */
export function submit<T extends object, R>(
  groups: GroupCommit<T & Answer<R>>,
  key: string,
  item: T,
): Promise<R> {
  return new Promise<R>((resolve, reject) => groups.add(key, { ...item, resolve, reject }));
}

/** A `take` for groups of at most `n` items, in arrival order. */
export const upTo =
  (n: number) =>
  <T>(queue: T[]): T[] =>
    queue.splice(0, n);

/** The usual `abandon`: every item fails with the error its group failed with. */
export function rejectAll(items: readonly Answer<never>[], err: unknown): void {
  for (const item of items) item.reject(err);
}
