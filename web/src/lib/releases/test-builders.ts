/** A whole release for the web's unit tests, every field a plain default. Imported by *.test.ts only. */
import type { Release } from '../../../../protocol/releases.ts';

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
  createdAt: '2026-12-01T00:00:00.000Z',
  revision: 1,
  ...over,
});
