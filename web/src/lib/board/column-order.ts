/**
 * The order of a stream's columns as pure functions: a stream's columns shown in an order the user
 * asked for while the server decides, and the order a "Move left" or "Move right" asks for.
 * Positions are per board (both streams share them), so a stream's columns only ever trade the
 * positions they already hold, as the server does.
 */
import type { Column, Stream } from '../../../../protocol/model.ts';

/** The board's columns with `stream`'s put in the order of `columnIds` (columns it does not name follow, as they were). */
export function arrangeStream(
  columns: readonly Column[],
  stream: Stream,
  columnIds: readonly string[],
): Column[] {
  const ours = columns.filter((c) => c.stream === stream).sort((a, b) => a.position - b.position);
  const rank = new Map(columnIds.map((id, i) => [id, i]));
  const wanted = [...ours].sort((a, b) => (rank.get(a.id) ?? rank.size) - (rank.get(b.id) ?? rank.size));
  const position = new Map(wanted.map((c, i) => [c.id, ours[i]!.position]));
  return columns
    .map((c) =>
      position.has(c.id) && position.get(c.id) !== c.position ? { ...c, position: position.get(c.id)! } : c,
    )
    .sort((a, b) => a.position - b.position);
}

/** The stream's column ids, left to right, with `columnId` one place further `by`; null at the edge. */
export function shiftColumn(
  columns: readonly Column[],
  stream: Stream,
  columnId: string,
  by: -1 | 1,
): string[] | null {
  const ids = columns
    .filter((c) => c.stream === stream)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.id);
  const from = ids.indexOf(columnId);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return null;
  [ids[from], ids[to]] = [ids[to]!, ids[from]!];
  return ids;
}

/** Where a column stands in its stream: 1-based place and how many there are. */
export function placeOf(
  columns: readonly Column[],
  stream: Stream,
  columnId: string,
): { at: number; of: number } {
  const ids = columns
    .filter((c) => c.stream === stream)
    .sort((a, b) => a.position - b.position)
    .map((c) => c.id);
  return { at: ids.indexOf(columnId) + 1, of: ids.length };
}
