import { describe, expect, it } from 'vitest';
import { flowAfterMove } from './flow.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const t1 = new Date('2026-11-03T09:00:00Z');

describe('flow timestamps', () => {
  it('starts a card the first time it enters an in-progress column', () => {
    expect(flowAfterMove({ startedAt: null, doneAt: null }, 'in_progress', t0)).toEqual({
      startedAt: t0,
      doneAt: null,
    });
  });

  it('keeps the first start when the card moves on', () => {
    expect(flowAfterMove({ startedAt: t0, doneAt: null }, 'done', t1)).toEqual({ startedAt: t0, doneAt: t1 });
  });

  it('clears done when a card leaves the done column, keeping its start', () => {
    expect(flowAfterMove({ startedAt: t0, doneAt: t1 }, 'in_progress', t1)).toEqual({
      startedAt: t0,
      doneAt: null,
    });
  });

  it('a card straight to done counts as started then', () => {
    expect(flowAfterMove({ startedAt: null, doneAt: null }, 'done', t1)).toEqual({
      startedAt: t1,
      doneAt: t1,
    });
  });

  it('back in the backlog a card is not done', () => {
    expect(flowAfterMove({ startedAt: t0, doneAt: t1 }, null, t1)).toEqual({ startedAt: t0, doneAt: null });
  });
});
