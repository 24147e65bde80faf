/**
 * Whole cards, columns and releases for the web's unit tests: every field set to a plain default, the ones a
 * test is about given as `over`. Imported by *.test.ts files only.
 */
import type { FirstScreen } from '../../../../protocol/first-screen.ts';
import type { Card, Column, Snapshot } from '../../../../protocol/model.ts';
import type { Release } from '../../../../protocol/releases.ts';

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

export const aRelease = (over: Partial<Release> = {}): Release => ({
  id: 'r1',
  boardId: 'b',
  version: '1.0.0',
  targetDate: null,
  stream: 'development',
  notes: '',
  state: 'planned',
  environments: ['test', 'system-test', 'pre-production', 'production-shadow', 'live'],
  reached: -1,
  stop: null,
  firebreak: null,
  shadowUrl: null,
  readiness: [],
  approvers: ['product_owner', 'maintenance'],
  verdicts: [],
  cardIds: [],
  liveAt: null,
  tag: null,
  commit: null,
  checks: {},
  userActions: '',
  changeWindow: '',
  cancelReason: null,
  updatedAt: '2026-12-01T00:00:00.000Z',
  createdAt: '2026-12-01T00:00:00.000Z',
  revision: 1,
  ...over,
});

/** A board's first answer that holds all of it (a small board): nothing more to fetch. */
export const wholeFirstScreen = (s: Snapshot): FirstScreen => ({
  ...s,
  view: 'backlog',
  totals: { cards: s.cards.length },
  complete: true,
});
