/**
 * Toasts do not pile up: at most MAX_TOASTS show, the oldest giving way; a toast with a key takes the
 * place of the one before it with that key (one undo offer at a time); a toast's button runs its
 * action once and the toast goes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TOASTS, Toasts } from './toasts.svelte.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('toasts', () => {
  it(`show ${MAX_TOASTS} at most, newest last`, () => {
    const toasts = new Toasts();
    for (let i = 1; i <= MAX_TOASTS + 2; i++) toasts.show(`message ${i}`);
    expect(toasts.items.map((t) => t.message)).toEqual(['message 3', 'message 4', 'message 5']);
  });

  it('a toast with a key replaces the one before it with that key, and keeps its own time', () => {
    const toasts = new Toasts();
    toasts.show('Moved OPS-1 to Done', 'info', 8000, { key: 'undo' });
    toasts.show('Sprint 4 planned', 'success', 8000);
    vi.advanceTimersByTime(5000);
    toasts.show('Moved OPS-2 to Verify', 'info', 8000, { key: 'undo' });
    expect(toasts.items.map((t) => t.message)).toEqual(['Sprint 4 planned', 'Moved OPS-2 to Verify']);
    // The first offer's timer is gone with it: the second stays its full time.
    vi.advanceTimersByTime(4000);
    expect(toasts.items.map((t) => t.message)).toEqual(['Moved OPS-2 to Verify']);
    vi.advanceTimersByTime(4000);
    expect(toasts.items).toEqual([]);
  });

  it("a toast's button runs its action once and dismisses it", () => {
    const toasts = new Toasts();
    const run = vi.fn();
    const id = toasts.show('Moved OPS-1 to Done', 'info', 8000, { action: { label: 'Undo', run } });
    toasts.act(id);
    toasts.act(id);
    expect(run).toHaveBeenCalledTimes(1);
    expect(toasts.items).toEqual([]);
  });
});
