/**
 * Release notes from a release's scope, pure: Markdown grouped by kind of card, one line per card
 * (`KEY title`), so what changes reads in one place. The notes are generated into the release's
 * editable notes; nothing here renders HTML.
 */
import type { CardType } from '../../protocol/model.ts';

export interface NoteCard {
  key: string;
  title: string;
  type: CardType;
}

/** The groups in the order they are read, each with the card types it holds. */
export const NOTE_GROUPS: readonly { heading: string; types: readonly CardType[] }[] = [
  { heading: 'Features and stories', types: ['story', 'enhancement'] },
  { heading: 'Improvements', types: ['improvement'] },
  { heading: 'Defects fixed', types: ['defect_automated', 'defect_manual'] },
  { heading: 'Incidents and problems resolved', types: ['incident', 'problem'] },
];

/** Backslash-escapes what Markdown would read as formatting, links or HTML inside a line of text. */
export function markdownText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|~!#]/g, (c) => `\\${c}`);
}

const byKey = (a: NoteCard, b: NoteCard) => a.key.localeCompare(b.key, 'en', { numeric: true });

export function releaseNotesMarkdown(cards: readonly NoteCard[]): string {
  if (cards.length === 0) return '_No cards in this release yet._\n';
  const sections: string[] = [];
  for (const group of NOTE_GROUPS) {
    const inGroup = cards.filter((c) => group.types.includes(c.type)).sort(byKey);
    if (inGroup.length === 0) continue;
    sections.push(
      [
        `## ${group.heading}`,
        '',
        ...inGroup.map((c) => `- ${markdownText(c.key)} ${markdownText(c.title)}`),
      ].join('\n'),
    );
  }
  return `${sections.join('\n\n')}\n`;
}
