import { describe, expect, it } from 'vitest';
import type { Column, Stream } from '../../../../protocol/model.ts';
import { arrangeStream, placeOf, shiftColumn } from './column-order.ts';
import { aColumn } from './test-builders.ts';

const column = (id: string, stream: Stream, position: number): Column => aColumn({ id, stream, position });
// The streams share the board's positions, interleaved here on purpose.
const board = [
  column('todo', 'development', 0),
  column('ready', 'maintenance', 1),
  column('doing', 'development', 2),
  column('fixing', 'maintenance', 3),
  column('done', 'development', 4),
];
const order = (columns: Column[], stream: Stream) =>
  columns.filter((c) => c.stream === stream).map((c) => c.id);

describe('a stream shown in the order the user asked for', () => {
  it("trades the stream's own positions, leaving the other stream where it was", () => {
    const shown = arrangeStream(board, 'development', ['done', 'todo', 'doing']);
    expect(order(shown, 'development')).toEqual(['done', 'todo', 'doing']);
    expect(shown.filter((c) => c.stream === 'maintenance')).toEqual(
      board.filter((c) => c.stream === 'maintenance'),
    );
    expect(shown.map((c) => c.position)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps a column the order does not name (added meanwhile) after the named ones', () => {
    const shown = arrangeStream(board, 'development', ['doing', 'todo']);
    expect(order(shown, 'development')).toEqual(['doing', 'todo', 'done']);
  });
});

describe('Move left and Move right', () => {
  it('swap a column with its neighbour in its stream', () => {
    expect(shiftColumn(board, 'development', 'doing', 1)).toEqual(['todo', 'done', 'doing']);
    expect(shiftColumn(board, 'development', 'doing', -1)).toEqual(['doing', 'todo', 'done']);
  });

  it('go nowhere past the edges', () => {
    expect(shiftColumn(board, 'development', 'todo', -1)).toBeNull();
    expect(shiftColumn(board, 'development', 'done', 1)).toBeNull();
  });

  it('say where a column stands', () => {
    expect(placeOf(board, 'maintenance', 'fixing')).toEqual({ at: 2, of: 2 });
  });
});
