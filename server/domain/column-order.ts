/**
 * Reordering a stream's columns, pure. The request names every column of the stream once, in the
 * new order; the columns keep the set of positions they hold between them (positions are per board,
 * shared with the other stream), handed out again in the new order. So the other stream's columns
 * never move, and positions stay unique on the board.
 */

export interface PlacedColumn {
  id: string;
  position: number;
}

export type ReorderPlan =
  | { kind: 'reorder'; positions: PlacedColumn[] }
  | { kind: 'refuse'; message: string };

/**
 * @param current the stream's columns as they are now
 * @param columnIds the requested order, left to right
 * @returns the columns whose position changes, or why the request cannot be the stream's order
 */
export function planColumnOrder(current: readonly PlacedColumn[], columnIds: readonly string[]): ReorderPlan {
  const known = new Set(current.map((c) => c.id));
  const seen = new Set<string>();
  for (const id of columnIds) {
    if (seen.has(id)) return { kind: 'refuse', message: `names column ${id} twice` };
    if (!known.has(id)) return { kind: 'refuse', message: `column ${id} is not a column of this stream` };
    seen.add(id);
  }
  const missing = current.filter((c) => !seen.has(c.id));
  if (missing.length > 0) {
    const ids = missing.map((c) => c.id).join(', ');
    return { kind: 'refuse', message: `must name every column of the stream; missing ${ids}` };
  }
  const slots = current.map((c) => c.position).sort((a, b) => a - b);
  const was = new Map(current.map((c) => [c.id, c.position]));
  const positions = columnIds
    .map((id, i) => ({ id, position: slots[i]! }))
    .filter((c) => was.get(c.id) !== c.position);
  return { kind: 'reorder', positions };
}
