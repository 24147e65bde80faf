/**
 * Whole cards and columns for the web's unit tests: every field set to a plain default, the ones a
 * test is about given as `over`. Imported by *.test.ts files only.
 */
import type { Card, Column } from '../../../../protocol/model.ts';

export const aCard = (over: Partial<Card> & Pick<Card, 'id'>): Card => ({
  boardId: 'b',
  number: 1,
  key: `K-${over.id}`,
  title: `Card ${over.id}`,
  description: '',
  type: 'story',
  stream: 'development',
  rank: 'a0',
  columnId: null,
  sprintId: null,
  estimate: null,
  classOfService: 'standard',
  priority: 'medium',
  assigneeId: null,
  labels: [],
  blocked: false,
  blockedReason: '',
  dueDate: null,
  source: null,
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  startedAt: null,
  doneAt: null,
  ...over,
});

export const aColumn = (over: Partial<Column> & Pick<Column, 'id'>): Column => ({
  stream: 'development',
  name: over.id,
  position: 0,
  category: 'in_progress',
  wipLimit: null,
  wipPolicy: 'hard',
  expediteExempt: true,
  entryPolicy: '',
  exitPolicy: '',
  version: 1,
  ...over,
});
