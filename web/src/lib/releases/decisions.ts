/**
 * What a release still waits for, as its page shows it: the firebreak's missing approvals and
 * failed tests, the go/no-go policy's missing roles, the open readiness items. Read from the release
 * the server sent; the server decides (server/domain/release.ts), this only explains.
 */
import type { Role } from '../../../../protocol/model.ts';
import type { Release } from '../../../../protocol/releases.ts';

type Firebreak = NonNullable<Release['firebreak']>;

/** Roles named on the firebreak that have not approved yet. */
export const firebreakWaitingFor = (firebreak: Firebreak): Role[] =>
  firebreak.approvers.filter((role) => !firebreak.approvedBy.some((a) => a.role === role));

/** May someone of `role` approve this firebreak now (named on it, not approved yet, release still open)? */
export const mayApproveFirebreak = (release: Release, role: Role): boolean =>
  release.firebreak !== null &&
  release.state !== 'live' &&
  release.state !== 'cancelled' &&
  firebreakWaitingFor(release.firebreak).includes(role);

/** Readiness items neither done nor waived with a reason. */
export const readinessOpen = (items: Release['readiness']) =>
  items.filter((i) => !i.done && !(i.waivedReason && i.waivedReason.trim().length > 0));

/** Roles of the go-live policy without a go yet (a role named twice needs two different people). */
export function goWaitingFor(release: Pick<Release, 'approvers' | 'verdicts'>): Role[] {
  const gos = release.verdicts.filter((v) => v.verdict === 'go');
  const used = new Set<string>();
  const waiting: Role[] = [];
  for (const role of release.approvers) {
    const match = gos.find((v) => v.role === role && !used.has(v.userId));
    if (match) used.add(match.userId);
    else waiting.push(role);
  }
  return waiting;
}
