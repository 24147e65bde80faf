/**
 * A card dropped on a release on the sprint board or the Kanban joins its scope (the backlog has its
 * own, which also carries the ticked cards). The outcome is said in a toast, as in the backlog.
 */
import type { BoardState } from '../board/board-state.svelte.ts';
import type { Toasts } from '../toasts.svelte.ts';

export async function dropCardInRelease(
  board: BoardState,
  toasts: Toasts,
  cardId: string,
  releaseId: string,
) {
  const card = board.byId.get(cardId);
  const release = board.releases.find((r) => r.id === releaseId);
  if (!card || !release || release.cardIds.includes(cardId)) return;
  try {
    await board.changeScope(releaseId, { add: [cardId] });
    toasts.show(`${card.key} added to ${release.version}.`, 'success', 3000);
  } catch (err) {
    toasts.error(`Not added to ${release.version}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
