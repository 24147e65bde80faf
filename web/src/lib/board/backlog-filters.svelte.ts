/**
 * The backlog's filters: status (open work by default; done cards are the archive), stream, type,
 * label, assignee and free text. The filtered list keeps backlog order, so a drag inside it still
 * names the neighbours the user sees.
 */
import type { Card, CardType, Stream } from '../../../../protocol/model.ts';
import { type CardStatusFilter, matchesStatus } from '../../../../protocol/rules/card-status.ts';

export const UNASSIGNED = '__unassigned__';

export class BacklogFilters {
  /** open cards unless asked: done work leaves the ranked backlog (protocol/rules/card-status.ts) */
  status = $state<CardStatusFilter>('open');
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

  /** Anything other than the defaults is chosen (Clear filters shows). */
  changed = $derived(this.active || this.status !== 'open');

  clear(): void {
    this.status = 'open';
    this.stream = '';
    this.type = '';
    this.label = '';
    this.assignee = '';
    this.text = '';
  }

  /** The cards of this status only (`isDone` is the shared rule, bound to the board's columns). */
  byStatus(cards: readonly Card[], isDone: (card: Card) => boolean): readonly Card[] {
    const status = this.status;
    return status === 'all' ? cards : cards.filter((c) => matchesStatus(isDone(c), status));
  }

  /** The cards the backlog shows: of the chosen status, then through the other filters. */
  apply(cards: readonly Card[], isDone: (card: Card) => boolean = () => false): readonly Card[] {
    return this.narrow(this.byStatus(cards, isDone));
  }

  /** The filters other than status. */
  narrow(cards: readonly Card[]): readonly Card[] {
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
