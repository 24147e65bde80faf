import { describe, expect, it } from 'vitest';
import type { ReleaseState } from './release.ts';
import { decideEdit, releaseForNewCard } from './release-edit.ts';

const at = (state: ReleaseState, revision = 3) => ({ state, revision });

describe('editing a release', () => {
  it('edits or cancels a release on its way, at the revision the editor saw', () => {
    expect(decideEdit(at('planned'), { notes: 'x' })).toBeNull();
    expect(decideEdit(at('stopped'), { cancel: { reason: 'scope moved to 2.0' } }, 3)).toBeNull();
    expect(decideEdit(at('awaiting_go'), { userActions: 'Sign in again' })).toBeNull();
  });

  it('refuses any edit once live, naming the first field it would change', () => {
    expect(decideEdit(at('live'), { targetDate: '2027-01-01', notes: 'x' })).toMatchObject({
      field: 'targetDate',
      message: expect.stringContaining('live'),
    });
    expect(decideEdit(at('live'), { cancel: { reason: 'too late' } })).toMatchObject({ field: 'cancel' });
    expect(decideEdit(at('cancelled'), { version: '2' })).toMatchObject({ field: 'version' });
  });

  it('refuses an edit made on an older revision, and an edit that changes nothing', () => {
    expect(decideEdit(at('planned', 4), { notes: 'x' }, 3)).toMatchObject({ field: 'revision' });
    expect(decideEdit(at('planned'), {})).toMatchObject({ field: 'body' });
  });
});

describe('a new card joining a release', () => {
  const release = (id: string, state: ReleaseState) => ({ id, state });

  it('joins the release named on creation, refused once that release is live or cancelled', () => {
    expect(releaseForNewCard({ named: release('r1', 'on_path'), raisedFrom: null })).toEqual({
      releaseId: 'r1',
    });
    expect(releaseForNewCard({ named: release('r1', 'live'), raisedFrom: null })).toMatchObject({
      refusal: { field: 'releaseId' },
    });
  });

  it('joins the release the card it was raised from travels in, while that release is on its way', () => {
    expect(releaseForNewCard({ named: null, raisedFrom: release('r2', 'stopped') })).toEqual({
      releaseId: 'r2',
    });
    expect(releaseForNewCard({ named: null, raisedFrom: release('r2', 'live') })).toBeNull();
    expect(releaseForNewCard({ named: null, raisedFrom: release('r2', 'cancelled') })).toBeNull();
    expect(releaseForNewCard({ named: null, raisedFrom: null })).toBeNull();
  });

  it('prefers the release named on creation over the one it was raised from', () => {
    expect(
      releaseForNewCard({ named: release('r1', 'planned'), raisedFrom: release('r2', 'stopped') }),
    ).toEqual({
      releaseId: 'r1',
    });
  });
});
