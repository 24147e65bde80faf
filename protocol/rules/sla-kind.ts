/**
 * Which cards have SLA clocks, shared by the server (which starts and stops them) and the web (which
 * shows a card's chip only while the card still has clocks, without asking the server).
 */

/** The label that marks a maintenance card as a service request (until requests have a card type of their own). */
export const REQUEST_LABEL = 'service-request';

/**
 * Incidents and service requests in the maintenance stream have clocks; other cards have none (a card
 * that stops being one loses its clocks, and one that becomes one starts them).
 */
export function slaKindOf(card: {
  type: string;
  stream: string;
  labels: string[];
}): 'incident' | 'request' | null {
  if (card.stream !== 'maintenance') return null;
  if (card.type === 'incident') return 'incident';
  if (card.type === 'service_request' || card.labels.includes(REQUEST_LABEL)) return 'request';
  return null;
}
