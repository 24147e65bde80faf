/** Words for link kinds and known-error statuses, as the card panel shows them. */
import type { CardLinkKind, KnownErrorStatus } from '../../../../protocol/problems.ts';

export const LINK_KIND: Record<CardLinkKind, string> = {
  relates_to: 'relates to',
  caused_by: 'caused by',
  causes: 'causes',
  fixes: 'fixes',
  fixed_by: 'fixed by',
  duplicates: 'duplicates',
  duplicated_by: 'duplicated by',
  problem_for: 'problem for',
  has_problem: 'has problem',
  recurrence_of: 'recurrence of',
  recurred_as: 'recurred as',
};

/** The kinds a person picks from (the recurrence kinds are the recurring-incident rule's). */
export const PICKABLE_KINDS: CardLinkKind[] = [
  'relates_to',
  'has_problem',
  'problem_for',
  'caused_by',
  'causes',
  'fixes',
  'fixed_by',
  'duplicates',
  'duplicated_by',
];

export const KNOWN_ERROR_STATUS: Record<KnownErrorStatus, string> = {
  none: 'Not a known error',
  investigating: 'Investigating',
  known_error: 'Known error',
  resolved: 'Resolved',
};
