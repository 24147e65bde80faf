/**
 * The board's SLA clocks for the chips: read once, then kept from the `sla.*` events; a read that
 * answers late never undoes a newer event; the service desk turned off takes every chip away.
 */
import { describe, expect, it } from 'vitest';
import type { BoardEvent } from '../../../../protocol/events.ts';
import type { CardSla } from '../../../../protocol/sla.ts';
import type { Api } from '../api.ts';
import type { BoardState } from '../board/board-state.svelte.ts';
import { aCard } from '../board/test-builders.ts';
import { SlaClocks } from './sla-clocks.svelte.ts';

const CARD = '00000000-0000-4000-8000-0000000000c1';
const incident = aCard({ id: CARD, type: 'incident', stream: 'maintenance' });
const inOneHour = (status: CardSla['response']['status'] = 'ok') => ({
  targetMinutes: 60,
  elapsedMs: 0,
  leftMs: 3_600_000,
  warningAt: new Date(Date.now() + 2_700_000).toISOString(),
  breachAt: new Date(Date.now() + 3_600_000).toISOString(),
  metAt: null,
  status,
});
const clock = (status: CardSla['response']['status'] = 'ok'): CardSla => ({
  cardId: CARD,
  kind: 'incident',
  tier: 'high',
  impact: null,
  urgency: null,
  waiting: null,
  startedAt: new Date().toISOString(),
  resolvedAt: null,
  response: inOneHour(status),
  resolution: inOneHour(),
  nextDueAt: null,
});

function setUp() {
  const listeners = new Set<(e: BoardEvent) => void>();
  let answer: (reply: { clocks: CardSla[]; at: string }) => void = () => {};
  const api = {
    request: () => new Promise((resolve) => (answer = resolve)),
  } as unknown as Api;
  const board = {
    boardId: 'b',
    onEvent: (l: (e: BoardEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as BoardState;
  const clocks = new SlaClocks(api, board);
  const deliver = (type: string, payload: unknown, cardId: string | null = CARD) => {
    for (const l of listeners) l({ type, payload, cardId } as unknown as BoardEvent);
  };
  const read = async (list: CardSla[]) => {
    answer({ clocks: list, at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 0));
  };
  return { clocks, deliver, read, listeners };
}

describe('SlaClocks', () => {
  it('shows what the read gave, then what events say', async () => {
    const { clocks, deliver, read } = setUp();
    clocks.setEnabled(true);
    await read([clock()]);
    expect(clocks.chip(incident)).toMatchObject({ which: 'response', tone: 'ok' });
    deliver('sla.warning', { clock: clock('warning'), which: 'response', dueAt: new Date().toISOString() });
    expect(clocks.chip(incident)?.tone).toBe('warning');
    deliver('card.deleted', {});
    expect(clocks.chip(incident)).toBeNull();
    clocks.close();
  });

  it('a read that answers after an event keeps the newer clock', async () => {
    const { clocks, deliver, read } = setUp();
    clocks.setEnabled(true);
    deliver('sla.breached', { clock: clock('breached'), which: 'response', dueAt: new Date().toISOString() });
    await read([clock('ok')]);
    expect(clocks.chip(incident)?.tone).toBe('breached');
    clocks.close();
  });

  it('no chip on a card that stopped being an incident, nor when the service desk is off', async () => {
    const { clocks, read, listeners } = setUp();
    clocks.setEnabled(true);
    await read([clock()]);
    expect(clocks.chip({ ...incident, type: 'story' })).toBeNull();
    expect(clocks.chip({ ...incident, doneAt: new Date().toISOString() })).toBeNull();
    clocks.setEnabled(false);
    expect(clocks.chip(incident)).toBeNull();
    expect(listeners.size).toBe(0);
  });
});
