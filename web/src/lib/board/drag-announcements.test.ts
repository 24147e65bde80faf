import { describe, expect, it } from 'vitest';
import type { Card, Column, Sprint } from '../../../../protocol/model.ts';
import type { Groups } from './column-board.ts';
import {
  type Announcements,
  backlogScene,
  columnBoardScene,
  dragAnnouncements,
} from './drag-announcements.ts';
import { aColumn, aRelease } from './test-builders.ts';

type Event<K extends keyof Announcements> = Parameters<NonNullable<Announcements[K]>>[0];

/** A dragged card or column header as the library hands it over: a sortable, or a plain draggable. */
interface Held {
  id: string;
  index?: number;
  group?: string;
}
interface Target {
  id: string;
  data?: unknown;
}

/** Plays one drag through the announcements, as the Accessibility plugin calls them. */
function drag(announcements: Announcements, held: Held) {
  const source = { ...held };
  const operation = (target: Target | null) => ({ operation: { source, target } });
  return {
    pickUp: () => announcements.dragstart(operation(source) as unknown as Event<'dragstart'>, null as never),
    /** the library re-drew the card at a new place and reports it over itself */
    settle(group: string | undefined, index: number) {
      source.group = group;
      source.index = index;
      return announcements.dragover?.(operation(source) as unknown as Event<'dragover'>, null as never);
    },
    over: (target: Target | null) =>
      announcements.dragover?.(operation(target) as unknown as Event<'dragover'>, null as never),
    move: (target: Target | null) =>
      announcements.dragmove?.(operation(target) as unknown as Event<'dragmove'>, null as never),
    drop: (target: Target | null = source) =>
      announcements.dragend(
        { ...operation(target), canceled: false } as unknown as Event<'dragend'>,
        null as never,
      ),
    cancel: () =>
      announcements.dragend(
        { ...operation(null), canceled: true } as unknown as Event<'dragend'>,
        null as never,
      ),
  };
}

const column = (id: string, name: string, over: Partial<Column> = {}): Column =>
  aColumn({ id, name, stream: 'maintenance', ...over });

const card = (id: string, key: string, title: string, columnId: string | null): Card =>
  ({ id, key, title, columnId, stream: 'maintenance', classOfService: 'standard' }) as Card;

// A Kanban: Ready holds OPS-12 and OPS-13, In progress (hard limit 3) holds two more.
const ready = column('col-ready', 'Ready');
const doing = column('col-doing', 'In progress', { wipLimit: 3 });
const done = column('col-done', 'Done');
const login = card('c-login', 'OPS-12', 'Fix login', ready.id);
const invoice = card('c-invoice', 'OPS-13', 'Blank invoice PDF', ready.id);
const search = card('c-search', 'OPS-14', 'Slow search', doing.id);
const footer = card('c-footer', 'OPS-15', 'Typo in footer', doing.id);
const cards = [login, invoice, search, footer];

function kanban(
  groups: Groups = { 'standard:col-ready': [login, invoice], 'standard:col-doing': [search, footer] },
  more: Card[] = [],
) {
  const all = [...cards, ...more];
  const board = { byId: new Map(all.map((c) => [c.id, c])), columns: [ready, doing, done], cards: all };
  const scene = columnBoardScene(board, {
    columns: () => board.columns,
    groups: () => groups,
    columnOf: (group) => {
      const id = group.slice(group.indexOf(':') + 1);
      return id === 'up-next' ? null : id;
    },
  });
  return { groups, announcements: dragAnnouncements(scene) };
}

describe('carrying a card on a board of columns', () => {
  it('names the card by key and title when it is picked up, and where it is', () => {
    const { announcements } = kanban();
    const carry = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    expect(carry.pickUp()).toBe('Picked up OPS-12 Fix login. It is in Ready, position 1 of 2.');
  });

  it('does not add a full stop to a title that ends in one', () => {
    const { announcements } = kanban(undefined, [card('c-q', 'OPS-20', 'Why is it slow?', ready.id)]);
    expect(drag(announcements, { id: 'c-q' }).pickUp()).toBe('Picked up OPS-20 Why is it slow?');
  });

  it('says the column and position it is carried to, once per place', () => {
    const { groups, announcements } = kanban();
    const carry = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    carry.pickUp();
    // The library first reports it over the column, before the view has re-drawn it there: nothing new yet.
    expect(carry.over({ id: 'standard:col-doing' })).toBeUndefined();
    // The view draws it at the bottom of In progress and the library reports it over itself.
    groups['standard:col-ready'] = [invoice];
    groups['standard:col-doing'] = [search, footer, login];
    expect(carry.settle('standard:col-doing', 2)).toBe('OPS-12 is over In progress, position 3 of 3.');
    expect(carry.over({ id: login.id })).toBeUndefined();
    expect(carry.move(null)).toBeUndefined();
    expect(carry.drop()).toBe('OPS-12 dropped in In progress, position 3 of 3.');
  });

  it('warns while the card is over a column whose hard WIP limit will refuse it', () => {
    const disk = card('c-disk', 'OPS-16', 'Disk full', doing.id);
    const full = [search, footer, disk];
    const { groups, announcements } = kanban({ 'standard:col-ready': [login], 'standard:col-doing': full }, [
      disk,
    ]);
    const carry = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    carry.pickUp();
    groups['standard:col-doing'] = [login, ...full];
    expect(carry.settle('standard:col-doing', 0)).toBe(
      'OPS-12 is over In progress, position 1 of 4. In progress is full: WIP limit 3.',
    );
  });

  it('announces a drop the hard WIP limit refuses as refused, never as dropped', () => {
    const disk = card('c-disk', 'OPS-16', 'Disk full', doing.id);
    const full = [search, footer, disk];
    const { groups, announcements } = kanban({ 'standard:col-ready': [login], 'standard:col-doing': full }, [
      disk,
    ]);
    const carry = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    carry.pickUp();
    groups['standard:col-doing'] = [search, login, footer, disk];
    carry.settle('standard:col-doing', 1);
    const said = carry.drop();
    expect(said).toBe('OPS-12 was not moved: In progress is full: WIP limit 3. It stays in Ready.');
    expect(said).not.toContain('dropped');
  });

  it('hears a pointer drag that settles without another dragover', () => {
    const { groups, announcements } = kanban();
    const carry = drag(announcements, { id: invoice.id, group: 'standard:col-ready', index: 1 });
    carry.pickUp();
    groups['standard:col-ready'] = [invoice, login];
    const source = { id: invoice.id, group: 'standard:col-ready', index: 0 };
    const event = { operation: { source, target: { id: login.id } } } as unknown as Event<'dragmove'>;
    expect(announcements.dragmove?.(event, null as never)).toBe('OPS-13 is over Ready, position 1 of 2.');
  });

  it('calls the head of the maintenance backlog Up next', () => {
    const { groups, announcements } = kanban({
      'standard:up-next': [],
      'standard:col-ready': [login, invoice],
    });
    const carry = drag(announcements, { id: invoice.id, group: 'standard:col-ready', index: 1 });
    carry.pickUp();
    groups['standard:up-next'] = [invoice];
    expect(carry.settle('standard:up-next', 0)).toBe('OPS-13 is over Up next, position 1 of 1.');
  });

  it('says a cancelled move is cancelled and where the card is back', () => {
    const { announcements } = kanban();
    const carry = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    carry.pickUp();
    // Drawn anew in In progress, the card's sortable no longer knows it came from Ready.
    carry.settle('standard:col-doing', 2);
    expect(carry.cancel()).toBe('Moving OPS-12 was cancelled. It is back in Ready.');
  });

  it('says the same place again in a new drag', () => {
    const { announcements } = kanban();
    const first = drag(announcements, { id: login.id, group: 'standard:col-ready', index: 0 });
    first.pickUp();
    first.settle('standard:col-ready', 1);
    first.cancel();
    const second = drag(announcements, { id: invoice.id, group: 'standard:col-ready', index: 1 });
    second.pickUp();
    expect(second.settle('standard:col-ready', 0)).toBe('OPS-13 is over Ready, position 1 of 2.');
  });
});

describe('carrying a column by its name', () => {
  const columns = () => kanban().announcements;

  it('names the column and its place, never its id', () => {
    const carry = drag(columns(), { id: `column:${ready.id}`, group: 'columns:maintenance', index: 0 });
    expect(carry.pickUp()).toBe('Picked up column Ready. It is at position 1 of 3.');
    expect(carry.settle('columns:maintenance', 1)).toBe('Column Ready is at position 2 of 3.');
    expect(carry.drop()).toBe('Column Ready dropped at position 2 of 3.');
  });

  it('says a cancelled column move is cancelled', () => {
    const carry = drag(columns(), { id: `column:${done.id}`, group: 'columns:maintenance', index: 2 });
    carry.pickUp();
    carry.settle('columns:maintenance', 1);
    expect(carry.cancel()).toBe('Moving column Done was cancelled. It is back at position 3.');
  });
});

describe('carrying a card in the ranked backlog', () => {
  const sprint = { id: 's1', name: 'Sprint 4' } as Sprint;
  const rows = Array.from({ length: 40 }, (_, i) => card(`b${i}`, `DEV-${i + 1}`, `Story ${i + 1}`, null));
  // The list draws a window from row 20 on; the library counts from the first drawn row.
  const announcements = () =>
    dragAnnouncements(
      backlogScene(
        {
          byId: new Map(rows.map((c) => [c.id, c])),
          sprints: [sprint],
          releases: [aRelease({ id: 'r1', version: '2.4.0' })],
        },
        { rows: () => rows, offset: () => 20 },
      ),
    );

  it('counts positions in the whole list, not the drawn window', () => {
    const carry = drag(announcements(), { id: 'b22', index: 2 });
    expect(carry.pickUp()).toBe('Picked up DEV-23 Story 23. It is in the backlog, position 23 of 40.');
    expect(carry.settle(undefined, 4)).toBe('DEV-23 is over the backlog, position 25 of 40.');
    expect(carry.drop()).toBe('DEV-23 dropped in the backlog, position 25 of 40.');
  });

  it('names the sprint a card is held over and dropped in, and the list again when it comes back', () => {
    const carry = drag(announcements(), { id: 'b20', index: 0 });
    carry.pickUp();
    const zone = { id: 'sprint:s1', data: { sprintId: 's1' } };
    expect(carry.over(zone)).toBe('DEV-21 is over Sprint 4.');
    expect(carry.move(zone)).toBeUndefined();
    expect(carry.over(null)).toBe('DEV-21 is over the backlog, position 21 of 40.');
    expect(carry.over(zone)).toBe('DEV-21 is over Sprint 4.');
    expect(carry.drop(zone)).toBe('DEV-21 dropped in Sprint 4.');
  });

  it('names the release a card is held over and dropped on', () => {
    const carry = drag(announcements(), { id: 'b20', index: 0 });
    carry.pickUp();
    const zone = { id: 'release:r1', data: { releaseId: 'r1' } };
    expect(carry.over(zone)).toBe('DEV-21 is over release 2.4.0.');
    expect(carry.drop(zone)).toBe('DEV-21 dropped in release 2.4.0.');
  });

  it('says how many ticked cards go into the sprint with a ticked card, and none with an unticked one', () => {
    const ticked = new Set(['b20', 'b21', 'b25', 'b30']);
    const scene = backlogScene(
      {
        byId: new Map(rows.map((c) => [c.id, c])),
        sprints: [sprint],
        releases: [aRelease({ id: 'r1', version: '2.4.0' })],
      },
      {
        rows: () => rows,
        offset: () => 20,
        ticked: {
          has: (id) => ticked.has(id),
          get size() {
            return ticked.size;
          },
        },
      },
    );
    const zone = { id: 'sprint:s1', data: { sprintId: 's1' } };
    const carry = drag(dragAnnouncements(scene), { id: 'b21', index: 1 });
    carry.pickUp();
    expect(carry.over(zone)).toBe('DEV-22 is over Sprint 4, with 3 other ticked cards.');
    expect(carry.drop(zone)).toBe('DEV-22 dropped in Sprint 4, with 3 other ticked cards.');
    ticked.delete('b25');
    ticked.delete('b30');
    const pair = drag(dragAnnouncements(scene), { id: 'b20', index: 0 });
    pair.pickUp();
    expect(pair.drop(zone)).toBe('DEV-21 dropped in Sprint 4, with 1 other ticked card.');
    const alone = drag(dragAnnouncements(scene), { id: 'b23', index: 3 });
    alone.pickUp();
    expect(alone.drop(zone)).toBe('DEV-24 dropped in Sprint 4.');
  });
});

describe('what the view does not know', () => {
  const nothing = dragAnnouncements({ card: () => undefined, columns: () => [], list: () => undefined });

  it('speaks of "a card" or "a column" rather than reading out an id', () => {
    const carry = drag(nothing, { id: '3f1c9a7e-0000-4000-8000-000000000000', group: 'g', index: 0 });
    expect(carry.pickUp()).toBe('Picked up a card.');
    expect(carry.settle('g', 1)).toBeUndefined();
    expect(carry.drop()).toBe('The card dropped.');
    expect(drag(nothing, { id: 'column:gone', group: 'columns:development', index: 0 }).pickUp()).toBe(
      'Picked up a column.',
    );
  });

  it('is silent when there is nothing being carried', () => {
    const event = { operation: { source: null, target: null } };
    expect(nothing.dragstart(event as unknown as Event<'dragstart'>, null as never)).toBeUndefined();
    expect(nothing.dragover?.(event as unknown as Event<'dragover'>, null as never)).toBeUndefined();
    expect(
      nothing.dragend({ ...event, canceled: false } as unknown as Event<'dragend'>, null as never),
    ).toBeUndefined();
  });

  it('says a cancelled move of an unknown card is cancelled', () => {
    const carry = drag(nothing, { id: 'x', group: 'g', index: 0 });
    carry.pickUp();
    expect(carry.cancel()).toBe('Moving the card was cancelled.');
  });
});
