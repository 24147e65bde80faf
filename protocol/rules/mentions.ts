/**
 * @mentions in descriptions and comments. A mention is stored as `@[Display name](user:<uuid>)`: it
 * reads naturally in the raw Markdown, names the person unambiguously (two members may share a
 * name), and survives a rename because the id, not the name, decides who is meant. The web app
 * renders it as a chip with the member's current name; the server notifies the ids it finds.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** One mention; `name` is what the writer saw when they picked the person. */
export interface Mention {
  userId: string;
  name: string;
  /** where the token starts and ends in the text */
  start: number;
  end: number;
}

// A name may hold anything but brackets and line breaks; the id is a lower-case uuid.
const MENTION = new RegExp(`@\\[([^\\[\\]\\n]{1,200})\\]\\(user:(${UUID})\\)`, 'gi');

export function mentionsIn(text: string): Mention[] {
  const found: Mention[] = [];
  for (const m of text.matchAll(MENTION)) {
    found.push({ userId: m[2]!.toLowerCase(), name: m[1]!, start: m.index, end: m.index + m[0].length });
  }
  return found;
}

/** The distinct people a text mentions, in the order first mentioned. */
export function mentionedUserIds(text: string): string[] {
  return [...new Set(mentionsIn(text).map((m) => m.userId))];
}

/** The token the editor inserts when a member is picked. Brackets in a name would end it early. */
export function mentionToken(user: { id: string; name: string }): string {
  const name =
    user.name
      .replace(/[[\]\n]/g, ' ')
      .trim()
      .slice(0, 200) || 'someone';
  return `@[${name}](user:${user.id})`;
}

/** Mentions added by an edit: the ones in `after` that `before` did not have (each notified once). */
export function newlyMentioned(before: string, after: string): string[] {
  const had = new Set(mentionedUserIds(before));
  return mentionedUserIds(after).filter((id) => !had.has(id));
}
