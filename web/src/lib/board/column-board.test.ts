import { describe, expect, it } from 'vitest';
import { type Card, CLASSES_OF_SERVICE, type Column } from '../../../../protocol/model.ts';
import { decideWip } from '../../../../protocol/rules/wip.ts';
import {
  ageInDays,
  ageLevel,
  columnOfGroup,
  dropPlacement,
  groupId,
  kanbanGroups,
  refusalFor,
  sprintGroups,
  waitingBeyond,
  wipStatus,
} from './column-board.ts';
import { aCard, aColumn } from './test-builders.ts';

let next = 0;
const card = (over: Partial<Card> = {}): Card => {
  next++;
  return aCard({
    id: `c${next}`,
    number: next,
    key: `K-${next}`,
    title: `Card ${next}`,
    rank: `a${String(next).padStart(3, '0')}`,
    ...over,
  });
};
const column = (id: string, over: Partial<Column> = {}): Column => aColumn({ id, ...over });
const keys = (cards: readonly Card[] | undefined) => (cards ?? []).map((c) => c.key);

describe('the sprint board', () => {
  const todo = column('todo', { category: 'todo' });
  const doing = column('doing');
  const done = column('done', { category: 'done' });

  it('shows the active sprint’s cards by column; a card added after the start waits in To do', () => {
    const a = card({ sprintId: 's1', columnId: 'doing' });
    const b = card({ sprintId: 's1', columnId: null });
    const c = card({ sprintId: 's1', columnId: 'todo' });
    const other = card({ sprintId: 's2', columnId: 'todo' });
    const groups = sprintGroups([todo, doing, done], [a, b, c, other], 's1');
    expect(keys(groups.todo)).toEqual([b.key, c.key]);
    expect(keys(groups.doing)).toEqual([a.key]);
    expect(keys(groups.done)).toEqual([]);
  });
});

describe('a drop', () => {
  const a = card({ columnId: 'todo' });
  const b = card({ columnId: 'todo' });
  const c = card({ columnId: 'doing' });
  const before = { todo: [a, b], doing: [c] };
  const same = (g: string) => g;

  it('into another column names the column and the neighbours it now sits between', () => {
    expect(dropPlacement(before, { todo: [b], doing: [a, c] }, a.id, same)).toEqual({
      cardId: a.id,
      afterId: null,
      beforeId: c.id,
      columnId: 'doing',
    });
  });

  it('within a column only re-ranks', () => {
    expect(dropPlacement(before, { todo: [b, a], doing: [c] }, a.id, same)).toEqual({
      cardId: a.id,
      afterId: b.id,
      beforeId: null,
    });
  });

  it('back where it started is no move', () => {
    expect(dropPlacement(before, before, a.id, same)).toBeNull();
  });

  it('gives a card waiting without a column the column it was dropped in', () => {
    const waiting = card({ columnId: null });
    const start = { todo: [waiting, a] };
    expect(dropPlacement(start, { todo: [a, waiting] }, waiting.id, same)).toMatchObject({
      columnId: 'todo',
      afterId: a.id,
    });
  });

  it('on the Kanban maps swimlane groups to columns, and Up next to the backlog', () => {
    const ticket = card({ stream: 'maintenance', columnId: 'ready' });
    const from = { [groupId('standard', 'ready')]: [ticket], [groupId('standard', null)]: [] as Card[] };
    const to = { [groupId('standard', 'ready')]: [] as Card[], [groupId('standard', null)]: [ticket] };
    expect(dropPlacement(from, to, ticket.id, columnOfGroup)).toMatchObject({ columnId: null });
    expect(columnOfGroup(groupId('expedite', 'ready'))).toBe('ready');
  });
});

describe('the Kanban board', () => {
  const ready = column('ready', { stream: 'maintenance', category: 'todo' });
  const doing = column('doing', { stream: 'maintenance', wipLimit: 2 });

  it('puts expedite work in its own swimlane and shows the head of the backlog, blocked items aside', () => {
    const urgent = card({ stream: 'maintenance', classOfService: 'expedite', columnId: 'doing' });
    const normal = card({ stream: 'maintenance', columnId: 'doing' });
    const blocked = card({ stream: 'maintenance', blocked: true });
    const waiting = [1, 2, 3].map(() => card({ stream: 'maintenance' }));
    const dev = card({ columnId: null });
    const all = [urgent, normal, blocked, ...waiting, dev];
    const groups = kanbanGroups([ready, doing], all, 2);
    expect(keys(groups[groupId('expedite', 'doing')])).toEqual([urgent.key]);
    expect(keys(groups[groupId('standard', 'doing')])).toEqual([normal.key]);
    expect(keys(groups[groupId('standard', null)])).toEqual([waiting[0]!.key, waiting[1]!.key]);
    expect(waitingBeyond(all, groups)).toBe(2); // the blocked one and the third
  });

  it('counts WIP without exempt expedite items and says when a full hard column will refuse', () => {
    const cards = [
      card({ stream: 'maintenance', columnId: 'doing' }),
      card({ stream: 'maintenance', columnId: 'doing', classOfService: 'expedite' }),
    ];
    expect(wipStatus(doing, cards)).toEqual({ count: 1, level: 'under' });
    const full = [...cards, card({ stream: 'maintenance', columnId: 'doing' })];
    expect(wipStatus(doing, full)).toEqual({ count: 2, level: 'at' });
    const incoming = card({ stream: 'maintenance', columnId: 'ready' });
    expect(refusalFor(doing, incoming, full)).toBe('doing is full: WIP limit 2');
    expect(refusalFor(doing, { ...incoming, classOfService: 'expedite' }, full)).toBeNull();
    expect(refusalFor({ ...doing, wipPolicy: 'warn' }, incoming, full)).toBeNull();
    expect(wipStatus({ ...doing, expediteExempt: false }, full).level).toBe('over');
  });

  it('warns over a column exactly when the server’s WIP rule will refuse the card', () => {
    const inDoing = (n: number, classOfService: Card['classOfService']) =>
      Array.from({ length: n }, () => card({ stream: 'maintenance', columnId: 'doing', classOfService }));
    for (const wipPolicy of ['hard', 'warn'] as const)
      for (const expediteExempt of [true, false])
        for (const wipLimit of [null, 1, 2])
          for (const standing of [0, 1, 2, 3])
            for (const classOfService of CLASSES_OF_SERVICE) {
              const col = { ...doing, wipPolicy, expediteExempt, wipLimit };
              const cards = [...inDoing(standing, 'standard'), ...inDoing(1, 'expedite')];
              const incoming = card({ stream: 'maintenance', columnId: 'ready', classOfService });
              const occupancy = wipStatus(col, cards).count;
              const refused = decideWip(col, occupancy, classOfService).kind === 'refuse';
              expect(refusalFor(col, incoming, cards) !== null).toBe(refused);
            }
  });

  it('ages cards in whole days since they started', () => {
    const now = Date.parse('2026-11-10T12:00:00Z');
    expect(ageInDays(null, now)).toBeNull();
    expect(ageInDays('2026-11-10T08:00:00Z', now)).toBe(0);
    expect(ageInDays('2026-11-06T11:00:00Z', now)).toBe(4);
    expect([ageLevel(1), ageLevel(3), ageLevel(7)]).toEqual(['fresh', 'ageing', 'stale']);
  });
});
