/**
 * Problems and known errors, pure: how a hand-made link between two cards is stored, whether an
 * incident matches a known error (and so shows its workaround), and the search terms of the
 * known-error database.
 */
import {
  type CardLinkKind,
  type KnownErrorStatus,
  LINK_INVERSES,
  STORED_LINK_KINDS,
} from '../../protocol/problems.ts';

type StoredKind = (typeof STORED_LINK_KINDS)[number];
const isStored = (k: CardLinkKind): k is StoredKind => (STORED_LINK_KINDS as readonly string[]).includes(k);

export interface StoredLink {
  from: string;
  to: string;
  kind: StoredKind;
}

/**
 * The one row a link between two cards is kept as, whichever side it was made from: an inverse kind
 * is turned round ("A causes B" is kept as "B caused_by A"), and a symmetric one is kept from the
 * card with the smaller id, so the same link made from both sides at once is one row.
 */
export function storedLink(cardId: string, targetId: string, kind: CardLinkKind): StoredLink {
  if (kind === 'relates_to')
    return cardId < targetId ? { from: cardId, to: targetId, kind } : { from: targetId, to: cardId, kind };
  if (isStored(kind)) return { from: cardId, to: targetId, kind };
  return { from: targetId, to: cardId, kind: LINK_INVERSES[kind] as StoredKind };
}

/** A stored link as it reads from `viewerId`'s side. */
export function linkAsSeenFrom(viewerId: string, row: { cardId: string; kind: string }): CardLinkKind {
  const kind = (row.kind in LINK_INVERSES ? row.kind : 'relates_to') as CardLinkKind;
  return row.cardId === viewerId ? kind : LINK_INVERSES[kind];
}

/**
 * Which side of a link is the problem and which the incident, when the link says one is the other's
 * problem or cause: the problem then inherits the incident's priority. Null for other links.
 */
export function problemOfLink(
  link: StoredLink,
  types: { from: string; to: string },
): { problemId: string; incidentId: string } | null {
  if (link.kind !== 'problem_for' && link.kind !== 'caused_by') return null;
  if (types.from === 'problem' && types.to === 'incident')
    return { problemId: link.from, incidentId: link.to };
  if (types.from === 'incident' && types.to === 'problem')
    return { problemId: link.to, incidentId: link.from };
  return null;
}

// ---- matching an incident to a known error -------------------------------------------------------

export interface IncidentFacts {
  /** the alert fingerprint and service a plugin recorded on the incident (card.source), if any */
  fingerprint: string | null;
  service: string | null;
  /** the cards the incident is linked with, either way and of any kind */
  linkedCardIds: ReadonlySet<string>;
}

export interface KnownErrorFacts {
  cardId: string;
  status: KnownErrorStatus;
  /** what the team wrote as the error's signature: a fingerprint, or `service:<name>` */
  signature: string;
  /** the fingerprint the recurring-incident rule raised the problem for (card.source), if any */
  fingerprint: string | null;
}

export type KnownErrorMatch = 'linked' | 'fingerprint' | 'signature';

const same = (a: string | null, b: string | null) =>
  a !== null && b !== null && a.trim() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The match rule. Only a problem whose status is known_error has a workaround to show. It matches an
 * incident that is linked with it (by a person or by the recurring-incident rule), or whose alert
 * fingerprint is the one the problem was raised for, or whose fingerprint or `service:<name>` is the
 * signature the team wrote down. Titles are never compared: a similar title is not the same error.
 */
export function matchKnownError(
  incident: IncidentFacts,
  knownError: KnownErrorFacts,
): KnownErrorMatch | null {
  if (knownError.status !== 'known_error') return null;
  if (incident.linkedCardIds.has(knownError.cardId)) return 'linked';
  if (same(incident.fingerprint, knownError.fingerprint)) return 'fingerprint';
  if (same(incident.fingerprint, knownError.signature)) return 'signature';
  if (incident.service && same(`service:${incident.service}`, knownError.signature)) return 'signature';
  return null;
}

// ---- searching the known-error database ----------------------------------------------------------

const MAX_TERMS = 8;

/**
 * A PostgreSQL tsquery for what a person types: every word must appear, each as a prefix (so the list
 * narrows as they type). Only letters and digits reach the query: punctuation cannot make a bad
 * tsquery. Null when nothing searchable was typed.
 */
export function searchQuery(typed: string | undefined): string | null {
  const words = (typed ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].slice(0, MAX_TERMS);
  return terms.length === 0 ? null : terms.map((t) => `${t}:*`).join(' & ');
}
