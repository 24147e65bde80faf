import { describe, expect, it } from 'vitest';
import { anchorOf, compareRanks, landing, type Whereabouts } from './placement.ts';

const inSprint: Whereabouts = { stream: 'development', columnId: 'todo', sprintId: 's1' };

describe('where a moved card lands', () => {
  it('handing a card to the other stream returns it to the backlog and takes it out of its sprint', () => {
    expect(landing(inSprint, { stream: 'maintenance' })).toEqual({
      stream: 'maintenance',
      columnId: null,
      sprintId: null,
    });
  });

  it('a handover that names a column of the new stream puts the card there', () => {
    expect(landing(inSprint, { stream: 'maintenance', columnId: 'triage' })).toEqual({
      stream: 'maintenance',
      columnId: 'triage',
      sprintId: null,
    });
  });

  it('into a column keeps the sprint; a sprint named or cleared replaces it', () => {
    expect(landing(inSprint, { columnId: 'doing' })).toEqual({ ...inSprint, columnId: 'doing' });
    expect(landing(inSprint, { sprintId: 's2' })).toEqual({ ...inSprint, sprintId: 's2' });
    expect(landing(inSprint, { columnId: null, sprintId: null })).toEqual({
      stream: 'development',
      columnId: null,
      sprintId: null,
    });
  });

  it('a re-rank alone leaves stream, column and sprint as they were', () => {
    expect(landing(inSprint, { afterId: 'x' })).toEqual(inSprint);
  });
});

describe('the neighbour a card is placed against', () => {
  it('is the card above when the drop names one, else the card below, else none', () => {
    expect(anchorOf({ afterId: 'a', beforeId: 'b' })).toEqual({ side: 'after', id: 'a' });
    expect(anchorOf({ afterId: null, beforeId: 'b' })).toEqual({ side: 'before', id: 'b' });
    expect(anchorOf({ columnId: 'doing' })).toBeNull();
  });
});

describe('rank order', () => {
  it('sorts the way PostgreSQL sorts with COLLATE "C" (byte order), not locale order', () => {
    const keys = ['a0', 'Zz', 'a1', 'b00'];
    expect([...keys].sort(compareRanks)).toEqual(['Zz', 'a0', 'a1', 'b00']);
  });
});
