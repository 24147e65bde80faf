/**
 * Live status for requesters: after each committed board event about a service request, one
 * `portal:changed` frame to its requester's own sockets (their user room, through the adapter so it
 * reaches them on any instance), never to a board room. The portal then fetches the request again,
 * so the frame carries no card data a requester could not read anyway.
 *
 * Whose request a card is never changes (the service_requests row is written with the card, in its
 * transaction), and neither does a card being no request at all, so the answer is remembered per
 * card: a busy board's moves cost one lookup per card, not one per move.
 */
import type { BoardEvent } from '../../protocol/model.ts';
import type { PortalChangedFrame } from '../../protocol/portal.ts';
import type { Db } from '../infra/database.ts';
import * as repo from './repo.ts';

/** The events that can change what a requester sees of their request. */
const SEEN: ReadonlySet<string> = new Set(['card.moved', 'card.updated', 'card.commented', 'sla.clock']);
const REMEMBERED_CARDS = 50_000;

export function portalFeed(db: Db, send: (requesterId: string, frame: PortalChangedFrame) => void) {
  /** cardId → its requester, or null when the card is no service request */
  const owners = new Map<string, string | null>();
  async function ownerOf(cardId: string): Promise<string | null> {
    const known = owners.get(cardId);
    if (known !== undefined) return known;
    const owner = (await repo.requesterOf(db, cardId))?.requester_id ?? null;
    if (owners.size >= REMEMBERED_CARDS) owners.delete(owners.keys().next().value as string);
    owners.set(cardId, owner);
    return owner;
  }
  return async (event: BoardEvent): Promise<void> => {
    if (!event.cardId || !SEEN.has(event.type)) return;
    if (event.type === 'card.commented' && event.payload.comment.internal) return;
    const owner = await ownerOf(event.cardId);
    if (owner) send(owner, { boardId: event.boardId, requestId: event.cardId });
  };
}
