/** SQL for access: an actor's membership on a board. */
import type { Db } from '../infra/database.ts';

/**
 * The board (undefined when there is none), its sequence number, and the user's role on it (null when
 * not a member).
 */
export function boardMembership(db: Db, boardId: string, userId: string | null) {
  return db
    .selectFrom('boards')
    .leftJoin('board_members as m', (j) =>
      j.onRef('m.board_id', '=', 'boards.id').on('m.user_id', '=', userId),
    )
    .select(['boards.id', 'boards.seq', 'm.role'])
    .where('boards.id', '=', boardId)
    .executeTakeFirst();
}
