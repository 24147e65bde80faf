/**
 * Flow timestamps from column categories, pure: a card starts the first time it enters an
 * in-progress column and is done while it sits in a done column. Cycle time = done - started,
 * lead time = done - created.
 */
export type Category = 'todo' | 'in_progress' | 'done';

export interface FlowStamps {
  startedAt: Date | null;
  doneAt: Date | null;
}

export function flowAfterMove(current: FlowStamps, to: Category | null, now: Date): FlowStamps {
  const startedAt = current.startedAt ?? (to === 'in_progress' || to === 'done' ? now : null);
  const doneAt = to === 'done' ? (current.doneAt ?? now) : null;
  return { startedAt, doneAt };
}
