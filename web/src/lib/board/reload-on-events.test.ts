import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BoardEvent } from '../../../../protocol/model.ts';
import { reloadOnEvents } from './reload-on-events.ts';

afterEach(() => vi.useRealTimers());

function board() {
  const listeners = new Set<(e: BoardEvent) => void>();
  return {
    onEvent(l: (e: BoardEvent) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit: (type: string) => {
      for (const l of listeners) l({ type } as BoardEvent);
    },
  };
}

describe('reloading on board events', () => {
  it('re-reads once per burst of matching events, and not for others', () => {
    vi.useFakeTimers();
    const b = board();
    const reload = vi.fn();
    reloadOnEvents(b, /^card\./, reload, 800);
    b.emit('card.moved');
    b.emit('card.updated');
    b.emit('sprint.started');
    vi.advanceTimersByTime(799);
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reload).toHaveBeenCalledTimes(1);
    b.emit('sprint.started');
    vi.advanceTimersByTime(1000);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('stops listening, and drops a pending re-read, when stopped', () => {
    vi.useFakeTimers();
    const b = board();
    const reload = vi.fn();
    const stop = reloadOnEvents(b, /^card\./, reload, 800);
    b.emit('card.moved');
    stop();
    vi.advanceTimersByTime(1000);
    b.emit('card.moved');
    vi.advanceTimersByTime(1000);
    expect(reload).not.toHaveBeenCalled();
  });
});
