/**
 * Per-board grouping without a timer: a board has at most one group of work in flight; what arrives
 * for the board meanwhile waits, and goes as the next group when the one in flight is done. An idle
 * board's item therefore leaves at once, alone, and a busy board's items share a round trip.
 */
export class BoardGroups<T> {
  /** boards with a group in flight → the items waiting for the next one */
  private readonly waiting = new Map<string, T[]>();

  constructor(
    /** does the work for one group; must settle every item it is given */
    private readonly run: (boardId: string, group: T[]) => Promise<void>,
    /** takes the next group off a board's queue (in place), leaving the rest queued */
    private readonly take: (queue: T[]) => T[],
    /** settles the items of a group whose `run` threw, and those still waiting behind it */
    private readonly abandon: (items: T[], err: unknown) => void,
  ) {}

  add(boardId: string, item: T): void {
    const queue = this.waiting.get(boardId);
    if (queue) queue.push(item);
    else {
      this.waiting.set(boardId, []);
      void this.drain(boardId, [item]);
    }
  }

  private async drain(boardId: string, first: T[]) {
    let group = first;
    try {
      while (group.length > 0) {
        await this.run(boardId, group);
        group = this.take(this.waiting.get(boardId)!);
      }
      this.waiting.delete(boardId);
    } catch (err) {
      const left = this.waiting.get(boardId) ?? [];
      this.waiting.delete(boardId);
      this.abandon([...group, ...left], err);
    }
  }
}
