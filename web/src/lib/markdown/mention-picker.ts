/**
 * The @ autocomplete of the description and comment editors, as pure text rules: whether the caret
 * sits in an "@query" being typed, which members match it, and the text once one is picked (the
 * token itself is protocol/rules/mentions.ts' `mentionToken`).
 */
import { mentionToken } from '../../../../protocol/rules/mentions.ts';

export interface MentionQuery {
  /** index of the "@" */
  start: number;
  /** what was typed after it, up to the caret */
  query: string;
}

export interface Pickable {
  userId: string;
  name: string;
}

const LONGEST_QUERY = 40;

/** The "@query" the caret is at the end of, or null (an email address or a finished token is not one). */
export function mentionQueryAt(text: string, caret: number): MentionQuery | null {
  const from = Math.max(0, caret - LONGEST_QUERY - 1);
  const at = text.lastIndexOf('@', caret - 1);
  if (at < from) return null;
  const before = at > 0 ? text[at - 1]! : '';
  // "ann@example.com" is an address: an @ starts a mention only after a space, a bracket or the start.
  if (before && !/[\s([{"'>*_~]/.test(before)) return null;
  const query = text.slice(at + 1, caret);
  if (/^\s|[\n[\]()@]/.test(query)) return null;
  return { start: at, query };
}

/** Members whose name matches the query: name prefix first, then a word's prefix, then anywhere. */
export function matchingMembers<M extends Pickable>(members: readonly M[], query: string, limit = 8): M[] {
  const q = query.trim().toLowerCase();
  const rank = (name: string): number => {
    const n = name.toLowerCase();
    if (n.startsWith(q)) return 0;
    if (n.split(/\s+/).some((w) => w.startsWith(q))) return 1;
    return n.includes(q) ? 2 : -1;
  };
  return members
    .map((m) => ({ m, r: rank(m.name) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.m.name.localeCompare(b.m.name))
    .slice(0, limit)
    .map((x) => x.m);
}

/** The text with the "@query" replaced by the member's token and a space, and where the caret goes. */
export function pickMention(
  text: string,
  at: MentionQuery,
  member: Pickable,
): { text: string; caret: number } {
  const token = `${mentionToken({ id: member.userId, name: member.name })} `;
  const end = at.start + 1 + at.query.length;
  const rest = text.slice(end);
  const next = at.start + token.length;
  // Picked in front of a space already there, do not add a second.
  return rest.startsWith(' ')
    ? { text: text.slice(0, at.start) + token + rest.slice(1), caret: next }
    : { text: text.slice(0, at.start) + token + rest, caret: next };
}
