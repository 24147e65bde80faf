import { describe, expect, it } from 'vitest';
import { planColumnOrder } from './column-order.ts';

// Development columns interleaved with the other stream's positions (0, 2, 5, 6 are theirs elsewhere).
const dev = [
  { id: 'todo', position: 1 },
  { id: 'doing', position: 3 },
  { id: 'review', position: 4 },
  { id: 'done', position: 7 },
];

describe('reordering the columns of a stream', () => {
  it('hands the same positions out again in the new order, moving only the columns that change place', () => {
    expect(planColumnOrder(dev, ['todo', 'review', 'doing', 'done'])).toEqual({
      kind: 'reorder',
      positions: [
        { id: 'review', position: 3 },
        { id: 'doing', position: 4 },
      ],
    });
  });

  it('changes nothing when the order is the same', () => {
    expect(planColumnOrder(dev, ['todo', 'doing', 'review', 'done'])).toEqual({
      kind: 'reorder',
      positions: [],
    });
  });

  it('refuses an order that names a column twice', () => {
    const plan = planColumnOrder(dev, ['todo', 'doing', 'doing', 'done']);
    expect(plan).toEqual({ kind: 'refuse', message: 'names column doing twice' });
  });

  it("refuses a column that is not one of the stream's", () => {
    const plan = planColumnOrder(dev, ['todo', 'doing', 'review', 'ready']);
    expect(plan).toEqual({ kind: 'refuse', message: 'column ready is not a column of this stream' });
  });

  it('refuses an order that leaves a column out', () => {
    const plan = planColumnOrder(dev, ['done', 'todo', 'doing']);
    expect(plan).toEqual({ kind: 'refuse', message: 'must name every column of the stream; missing review' });
  });
});
