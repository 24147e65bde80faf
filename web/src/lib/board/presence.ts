/**
 * Who is on the board, kept from the server's presence frames (protocol/socket.ts): a `full` list
 * once per join, then changes. Pure, so the same reducer runs in the web app and in the tests that
 * check every client's list ends equal to the truth.
 */
import type { PresenceEntry, PresenceFrame, PresenceKey, PresenceUser } from '../../../../protocol/socket.ts';

/** instance and user → entry */
export type PresenceState = ReadonlyMap<string, PresenceEntry>;

export const noPresence: PresenceState = new Map();

const keyOf = (k: PresenceKey) => `${k.instanceId}\u0000${k.userId}`;

/** The state after one frame of this board's (a frame of another board changes nothing). */
export function applyPresence(state: PresenceState, frame: PresenceFrame, boardId: string): PresenceState {
  if (frame.boardId !== boardId) return state;
  if (frame.full) return new Map(frame.entries.map((e) => [keyOf(e), e]));
  const next = new Map(state);
  for (const gone of frame.gone) next.delete(keyOf(gone));
  for (const entry of frame.set) next.set(keyOf(entry), entry);
  return next;
}

/**
 * One line per person, by name: someone connected through several instances (or tabs) is shown
 * once, dragging a card if they drag one anywhere.
 */
export function presenceUsers(state: PresenceState): PresenceUser[] {
  const byUser = new Map<string, PresenceUser>();
  for (const e of state.values()) {
    const held = byUser.get(e.userId);
    byUser.set(e.userId, {
      userId: e.userId,
      name: e.name,
      draggingCardId: held?.draggingCardId ?? e.draggingCardId,
    });
  }
  return [...byUser.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId),
  );
}
