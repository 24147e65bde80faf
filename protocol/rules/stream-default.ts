import type { CardType, Stream } from '../model.ts';

/**
 * The stream a new card of this type starts in: operational work (incidents, problems) belongs to
 * maintenance, everything else to development. Only a default: the person creating the card may choose.
 * (There is no service-request card type yet; it would join the maintenance list.)
 */
const MAINTENANCE_TYPES: ReadonlySet<CardType> = new Set<CardType>(['incident', 'problem']);

export function defaultStream(type: CardType): Stream {
  return MAINTENANCE_TYPES.has(type) ? 'maintenance' : 'development';
}
