/**
 * A busy board's moves read their facts together: the moves that arrive while the board's read is in
 * flight share the next statement (`loadMoves`). Reads take no lock, so this only saves round trips;
 * an idle board's move reads at once, alone.
 */
import type { Db } from '../infra/database.ts';
import { GroupCommit } from '../infra/group-commit.ts';
import { loadMoves, type MoveRead, type MoveRow } from './repo.ts';

/** Reads per statement at most. */
export const MAX_READS = 64;

interface Pending {
  read: MoveRead;
  resolve(row: MoveRow | undefined): void;
  reject(err: unknown): void;
}

export class MoveReads {
  private readonly groups = new GroupCommit<Pending>(
    async (boardId, group) => {
      try {
        const rows = await loadMoves(
          this.db,
          boardId,
          group.map((p) => p.read),
        );
        for (const [i, p] of group.entries()) p.resolve(rows[i]);
      } catch (err) {
        for (const p of group) p.reject(err);
      }
    },
    (queue) => queue.splice(0, MAX_READS),
    (items, err) => {
      for (const p of items) p.reject(err);
    },
  );

  constructor(private readonly db: Db) {}

  read(boardId: string, read: MoveRead): Promise<MoveRow | undefined> {
    return new Promise((resolve, reject) => this.groups.add(boardId, { read, resolve, reject }));
  }
}
