/**
 * The backlog's filters: stream, type, label, assignee and free text. The filtered list keeps
 * backlog order, so a drag inside it still names the neighbours the user sees.
 */
import type { Card, CardType, Stream } from '../../../../protocol/model.ts';

export const UNASSIGNED = '__unassigned__';

export class BacklogFilters {
  stream = $state<Stream | ''>('');
  type = $state<CardType | ''>('');
  label = $state('');
  /** a member's user id, UNASSIGNED, or '' for anyone */
  assignee = $state('');
  text = $state('');

  active = $derived(
    this.stream !== '' ||
      this.type !== '' ||
      this.label !== '' ||
      this.assignee !== '' ||
      this.text.trim() !== '',
  );

  clear(): void {
    this.stream = '';
    this.type = '';
    this.label = '';
    this.assignee = '';
    this.text = '';
  }

  apply(cards: readonly Card[]): readonly Card[] {
    if (!this.active) return cards;
    const { stream, type, label, assignee } = this;
    const words = this.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return cards.filter((c) => {
      if (stream && c.stream !== stream) return false;
      if (type && c.type !== type) return false;
      if (label && !c.labels.includes(label)) return false;
      if (assignee === UNASSIGNED ? c.assigneeId !== null : assignee && c.assigneeId !== assignee)
        return false;
      if (words.length > 0) {
        const haystack = `${c.key} ${c.title} ${c.labels.join(' ')}`.toLowerCase();
        if (!words.every((w) => haystack.includes(w))) return false;
      }
      return true;
    });
  }
}

/** Every label in use, alphabetically, for the label filter. */
export function labelsInUse(cards: readonly Card[]): string[] {
  const seen = new Set<string>();
  for (const c of cards) for (const l of c.labels) seen.add(l);
  return [...seen].sort((a, b) => a.localeCompare(b));
}
