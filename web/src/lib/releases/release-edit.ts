/**
 * The release page's edit form as a pure change: only the fields the user changed go to the server,
 * with the revision they were edited on, so an edit never overwrites someone else's change unseen.
 */
import type { Release, ReleaseSettingsInput, UpdateReleaseInput } from '../../../../protocol/releases.ts';

export interface ReleaseDraft {
  version: string;
  targetDate: string;
  tag: string;
  commit: string;
  shadowUrl: string;
  changeWindow: string;
  userActions: string;
  notes: string;
}

export const draftOf = (r: Release): ReleaseDraft => ({
  version: r.version,
  targetDate: r.targetDate ?? '',
  tag: r.tag ?? '',
  commit: r.commit ?? '',
  shadowUrl: r.shadowUrl ?? '',
  changeWindow: r.changeWindow,
  userActions: r.userActions,
  notes: r.notes,
});

/** The PATCH body for a draft, or null when nothing changed. */
export function editOf(r: Release, d: ReleaseDraft): UpdateReleaseInput | null {
  const body: UpdateReleaseInput = {};
  const version = d.version.trim();
  if (version !== r.version) body.version = version;
  const targetDate = d.targetDate || null;
  if (targetDate !== r.targetDate) body.targetDate = targetDate;
  // Emptied, a tag, commit or shadow URL is cleared (null); the server validates each as on planning.
  const tag = d.tag.trim() || null;
  if (tag !== r.tag) body.tag = tag;
  const commit = d.commit.trim().toLowerCase() || null;
  if (commit !== r.commit) body.commit = commit;
  const shadowUrl = d.shadowUrl.trim() || null;
  if (shadowUrl !== r.shadowUrl) body.shadowUrl = shadowUrl;
  if (d.changeWindow.trim() !== r.changeWindow) body.changeWindow = d.changeWindow.trim();
  if (d.userActions !== r.userActions) body.userActions = d.userActions;
  if (d.notes !== r.notes) body.notes = d.notes;
  return Object.keys(body).length === 0 ? null : { ...body, revision: r.revision };
}

/** Moves item `at` one place up (-1) or down (+1); out of range leaves the list as it is. */
export function moved<T>(list: readonly T[], at: number, by: -1 | 1): T[] {
  const to = at + by;
  if (at < 0 || at >= list.length || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[at], next[to]] = [next[to]!, next[at]!];
  return next;
}

/** Check names typed one a line into the settings form, as the server takes them. */
export const checksOf = (text: string): string[] =>
  text
    .split('\n')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);

/** The settings as the PUT takes them (the GET adds `custom`). */
export const settingsInput = (s: ReleaseSettingsInput): ReleaseSettingsInput => ({
  environments: s.environments.map((e) => ({ name: e.name.trim(), checks: e.checks })),
  approvers: s.approvers,
  readiness: s.readiness.map((r) => ({ key: r.key.trim(), label: r.label.trim() })),
  firebreak: s.firebreak,
});
