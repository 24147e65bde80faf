/**
 * Major incidents, pure: the timeline of an incident built from the board events of the incident and
 * the cards linked with it, and the major-incident report as Markdown (summary, impact, timeline,
 * linked problem with its root cause and workaround, actions, post-incident review).
 */
import type { BoardEvent } from '../../protocol/events.ts';
import type { TimelineEntry } from '../../protocol/problems.ts';

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line for a board event about a card, in the words of an incident timeline. */
export function timelineText(e: BoardEvent, columnNames: ReadonlyMap<string, string>): string {
  switch (e.type) {
    case 'card.created':
      return `created “${clip(e.payload.card.title, 120)}” (${e.payload.card.priority})`;
    case 'card.updated':
      return `changed ${e.payload.changes.map((c) => c.field).join(', ') || 'the card'}`;
    case 'card.moved': {
      const { card, from } = e.payload;
      if (card.doneAt && from.columnId !== card.columnId) return 'resolved (moved to done)';
      if (from.columnId !== card.columnId)
        return card.columnId
          ? `moved to ${columnNames.get(card.columnId) ?? 'another column'}`
          : 'moved to the backlog';
      return 're-ranked';
    }
    case 'card.commented':
      return `commented: ${clip(e.payload.comment.body.replace(/\s+/g, ' '), 200)}`;
    case 'card.linked':
      return `linked ${e.payload.kind} ${e.payload.linkedKey}`;
    case 'card.unlinked':
      return `unlinked ${e.payload.kind} ${e.payload.linkedKey}`;
    case 'card.deleted':
      return 'deleted the card';
    default:
      return e.type.replace('.', ' ');
  }
}

/**
 * The timeline: the events of the incident and its linked cards in the order the board recorded
 * them (the board's sequence), each named by its card's key.
 */
export function buildTimeline(
  events: readonly BoardEvent[],
  keys: ReadonlyMap<string, string>,
  columnNames: ReadonlyMap<string, string>,
): TimelineEntry[] {
  return [...events]
    .filter((e) => e.cardId !== null)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({
      seq: e.seq,
      at: e.at,
      cardId: e.cardId as string,
      cardKey: keys.get(e.cardId as string) ?? '?',
      actor: e.actor.label,
      type: e.type,
      text: timelineText(e, columnNames),
    }));
}

/**
 * Text a person wrote, made inert in Markdown: characters that would start emphasis, links, HTML,
 * headings, tables or code are backslash-escaped (CommonMark allows escaping any ASCII punctuation),
 * so what they typed reads as typed wherever the report is rendered.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => `\\${c}`);
}

/** A block of text a person wrote: escaped, each line kept, "—" when empty. */
const block = (text: string) =>
  text.trim() === '' ? '—' : text.trim().split(/\r?\n/).map(escapeMarkdown).join('  \n');

export interface ReportInput {
  incident: {
    key: string;
    title: string;
    priority: string;
    description: string;
    createdAt: string;
    doneAt: string | null;
  };
  major: {
    declaredAt: string | null;
    impact: string;
    actions: string;
    reviewNotes: string;
    runbookChangeUrl: string | null;
  };
  problems: { key: string; title: string; status: string; rootCause: string; workaround: string }[];
  timeline: readonly TimelineEntry[];
  generatedAt: string;
}

/** The major-incident report as Markdown. */
export function majorIncidentReport(r: ReportInput): string {
  const { incident: i, major: m } = r;
  const lines: string[] = [
    `# Major incident report: ${i.key} ${escapeMarkdown(i.title)}`,
    '',
    '## Summary',
    '',
    `- Priority: ${i.priority}`,
    `- Opened: ${i.createdAt}`,
    `- Declared major: ${m.declaredAt ?? 'not declared'}`,
    `- Resolved: ${i.doneAt ?? 'not yet'}`,
    '',
    block(i.description),
    '',
    '## Impact',
    '',
    block(m.impact),
    '',
    '## Timeline',
    '',
  ];
  if (r.timeline.length === 0) lines.push('—');
  for (const t of r.timeline)
    lines.push(`- ${t.at} ${t.cardKey} ${escapeMarkdown(t.actor)}: ${escapeMarkdown(t.text)}`);
  lines.push('', '## Problem', '');
  if (r.problems.length === 0) lines.push('No problem is linked.');
  for (const p of r.problems)
    lines.push(
      `### ${p.key} ${escapeMarkdown(p.title)} (${p.status.replace('_', ' ')})`,
      '',
      '**Root cause**',
      '',
      block(p.rootCause),
      '',
      '**Workaround**',
      '',
      block(p.workaround),
      '',
    );
  lines.push('## Actions', '');
  const actions = m.actions
    .split(/\r?\n/)
    .map((a) => a.trim())
    .filter(Boolean);
  if (actions.length === 0) lines.push('—');
  for (const a of actions) lines.push(`- [ ] ${escapeMarkdown(a)}`);
  lines.push('', '## Post-incident review', '', block(m.reviewNotes), '');
  lines.push(
    m.runbookChangeUrl ? `Runbook change: <${m.runbookChangeUrl}>` : 'Runbook change: none recorded',
    '',
    `_Generated ${r.generatedAt}._`,
    '',
  );
  return lines.join('\n');
}
