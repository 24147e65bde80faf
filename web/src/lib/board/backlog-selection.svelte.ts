/**
 * Which backlog cards the user has ticked for a bulk action. A click toggles one card; a shift-click
 * selects the run between the last card clicked and this one, in the order the list shows. The
 * selection reads back in backlog order and forgets cards that no longer exist.
 */
import type { Card } from '../../../../protocol/model.ts';

export class BacklogSelection {
  #ids = $state.raw<ReadonlySet<string>>(new Set());
  #anchor: string | null = null;

  size = $derived(this.#ids.size);

  has(cardId: string): boolean {
    return this.#ids.has(cardId);
  }

  toggle(cardId: string): void {
    const next = new Set(this.#ids);
    if (next.has(cardId)) next.delete(cardId);
    else next.add(cardId);
    this.#ids = next;
    this.#anchor = cardId;
  }

  /** Shift-click: everything from the last card clicked to this one, as `shown` orders them, is selected. */
  extend(cardId: string, shown: readonly Card[]): void {
    const to = shown.findIndex((c) => c.id === cardId);
    const from = this.#anchor === null ? -1 : shown.findIndex((c) => c.id === this.#anchor);
    if (to < 0) return;
    if (from < 0) {
      this.toggle(cardId);
      return;
    }
    const next = new Set(this.#ids);
    for (let i = Math.min(from, to); i <= Math.max(from, to); i++) next.add(shown[i]!.id);
    this.#ids = next;
  }

  clear(): void {
    this.#ids = new Set();
    this.#anchor = null;
  }

  /** The selected cards that still exist, in backlog order. */
  cards(backlog: readonly Card[]): Card[] {
    if (this.#ids.size === 0) return [];
    return backlog.filter((c) => this.#ids.has(c.id));
  }
}
