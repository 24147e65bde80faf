/**
 * Live status for requesters: after each committed board event about a service request, one
 * `portal:changed` frame to its requester's own sockets (their user room, through the adapter so it
 * reaches them on any instance), never to a board room. The portal then fetches the request again,
 * so the frame carries no card data a requester could not read anyway.
 */
import type { BoardEvent } from '../../protocol/model.ts';
import type { PortalChangedFrame } from '../../protocol/portal.ts';
import type { Db } from '../infra/database.ts';
import * as repo from './repo.ts';

/** The events that can change what a requester sees of their request. */
const SEEN: ReadonlySet<string> = new Set(['card.moved', 'card.updated', 'card.commented', 'sla.clock']);

export function portalFeed(db: Db, send: (requesterId: string, frame: PortalChangedFrame) => void) {
  return async (event: BoardEvent): Promise<void> => {
    if (!event.cardId || !SEEN.has(event.type)) return;
    const owner = await repo.requesterOf(db, event.cardId);
    if (owner) send(owner.requester_id, { boardId: event.boardId, requestId: event.cardId });
  };
}
