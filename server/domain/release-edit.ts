/**
 * Changing a release before go-live, pure: what may be edited or cancelled in which state, the
 * optimistic revision check, and which release a newly created card joins. A refusal names the field.
 */
import type { Refusal, ReleaseState } from './release.ts';

export interface ReleaseEdit {
  version?: string;
  targetDate?: string | null;
  tag?: string | null;
  commit?: string | null;
  shadowUrl?: string | null;
  notes?: string;
  userActions?: string;
  changeWindow?: string;
  cancel?: { reason: string };
}

const EDITABLE = [
  'version',
  'targetDate',
  'tag',
  'commit',
  'shadowUrl',
  'notes',
  'userActions',
  'changeWindow',
  'cancel',
] as const;

/** A release is on its way until it is live or cancelled: its scope and details may still change. */
export const onItsWay = (state: ReleaseState) => state !== 'live' && state !== 'cancelled';

/**
 * May this edit be made? Once live a release is history, and a cancelled one stays cancelled: the
 * refusal names the first field the edit would change. `expected` is the revision the editor saw
 * (from If-Match or the body); another change in between refuses it, naming `revision`.
 */
export function decideEdit(
  release: { state: ReleaseState; revision: number },
  edit: ReleaseEdit,
  expected?: number,
): Refusal | null {
  const fields = EDITABLE.filter((f) => edit[f] !== undefined);
  if (fields.length === 0)
    return { field: 'body', message: `name something to change: ${EDITABLE.join(', ')}` };
  if (!onItsWay(release.state))
    return {
      field: fields[0]!,
      message:
        release.state === 'live'
          ? 'the release is live: what went live is history and is not edited'
          : 'the release was cancelled: plan a new one',
    };
  if (expected !== undefined && expected !== release.revision)
    return {
      field: 'revision',
      message: `the release changed since revision ${expected} (it is at ${release.revision}); reload it`,
    };
  return null;
}

export type Joining = { releaseId: string } | { refusal: Refusal } | null;

/**
 * Which release a new card joins: the one named on creation (refused once live or cancelled), else the
 * release on its way that the card it was raised from travels in (a ticket raised from a release's
 * defect joins the release), else none.
 */
export function releaseForNewCard(facts: {
  named: { id: string; state: ReleaseState } | null;
  raisedFrom: { id: string; state: ReleaseState } | null;
}): Joining {
  if (facts.named) {
    if (!onItsWay(facts.named.state))
      return {
        refusal: { field: 'releaseId', message: `the release is ${facts.named.state}: its scope is fixed` },
      };
    return { releaseId: facts.named.id };
  }
  if (facts.raisedFrom && onItsWay(facts.raisedFrom.state)) return { releaseId: facts.raisedFrom.id };
  return null;
}
