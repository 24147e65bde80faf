/**
 * A per-board bound on work that holds a database connection while it waits for the board's locks
 * (a move's transaction: WIP-checked, or a contested move queueing on row locks). Such work on one
 * board goes one after another in PostgreSQL anyway, since every event takes the board's row; without
 * a bound, a flooded board's transactions would hold the whole pool while they queue there, and a
 * quiet board's move would wait for a connection. Past the bound they wait here, in arrival order.
 */
export class BoardSlots {
  private readonly boards = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly perBoard: number) {}

  async run<T>(boardId: string, work: () => Promise<T>): Promise<T> {
    let board = this.boards.get(boardId);
    if (!board) {
      board = { running: 0, waiting: [] };
      this.boards.set(boardId, board);
    }
    if (board.running >= this.perBoard) await new Promise<void>((resolve) => board.waiting.push(resolve));
    else board.running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is given back.
      const next = board.waiting.shift();
      if (next) next();
      else if (--board.running === 0) this.boards.delete(boardId);
    }
  }
}
