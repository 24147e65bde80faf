/**
 * A service request's status in its requester's words, from the facts of its card: the category of
 * the column it is in (none while it waits in the backlog), whether the team waits on the customer
 * (the SLA clock's pause), and whether the requester has rated it. Pure; the portal reads the facts.
 */
import type { RequestStatus } from '../../protocol/portal.ts';

export interface RequestFacts {
  /** the card's column category; null while the card is in the backlog */
  columnCategory: 'todo' | 'in_progress' | 'done' | null;
  /** the card was finished (its done stamp), even if its column was deleted since */
  done: boolean;
  /** whom the team waits on, from the card's SLA clock (null when nobody) */
  waitingOn: 'customer' | 'third_party' | null;
  rated: boolean;
}

export function requestStatus(f: RequestFacts): RequestStatus {
  if (f.columnCategory === 'done' || (f.columnCategory === null && f.done))
    return f.rated ? 'closed' : 'resolved';
  if (f.waitingOn === 'customer') return 'waiting_for_you';
  if (f.columnCategory === 'in_progress') return 'in_progress';
  // a third party's wait is the team's business: to the requester the request is still being worked on
  if (f.waitingOn === 'third_party') return 'in_progress';
  return 'open';
}

/** Only a resolved request is rated, and only once (closed = rated). */
export function canRate(status: RequestStatus): boolean {
  return status === 'resolved';
}
