import type { CardType, Stream } from '../model.ts';

/**
 * The stream a new card of this type starts in: operational work (incidents, problems) belongs to
 * maintenance, as do service requests; everything else to development. Only a default: the person
 * creating the card may choose.
 */
const MAINTENANCE_TYPES: ReadonlySet<CardType> = new Set<CardType>([
  'incident',
  'problem',
  'service_request',
]);

export function defaultStream(type: CardType): Stream {
  return MAINTENANCE_TYPES.has(type) ? 'maintenance' : 'development';
}
