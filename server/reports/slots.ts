/**
 * At most `size` report statements at once. A report over a busy board keeps a database connection
 * for a while; a burst of them queues here (first come, first served) instead of taking the whole
 * connection pool from card moves, sign-ins and /readyz.
 */
export class ReportSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
