/**
 * A board's path-to-live settings, pure: its ordered environments and the automated checks each runs,
 * the go/no-go approval policy, the readiness checklist template and the default firebreak. What is
 * valid is decided here; a refusal names the field. A release copies the settings when it is planned
 * and keeps them: changing them affects releases planned afterwards.
 */
import type { Role } from '../../protocol/model.ts';
import {
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_ENVIRONMENTS,
  DEFAULT_READINESS,
  NEVER_APPROVES,
  type Refusal,
} from './release.ts';

export interface PathEnvironment {
  name: string;
  /** names of the automated checks run there; a release is promoted past it once all have passed */
  checks: string[];
}

export interface DefaultFirebreak {
  environment: string;
  reason: string;
  approvers: Role[];
}

export interface ReleaseSettings {
  environments: PathEnvironment[];
  /** go/no-go: each role named must give a go (named twice: two different people) */
  approvers: Role[];
  readiness: { key: string; label: string }[];
  /** the firebreak a release gets when it is planned without one; null: none */
  firebreak: DefaultFirebreak | null;
}

export const LIVE = 'live';

export const DEFAULT_RELEASE_SETTINGS: ReleaseSettings = {
  environments: DEFAULT_ENVIRONMENTS.map((name) => ({ name, checks: [] })),
  approvers: [...DEFAULT_APPROVAL_POLICY.approvers],
  readiness: DEFAULT_READINESS.map((i) => ({ key: i.key, label: i.label })),
  firebreak: null,
};

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const refuse = (field: string, message: string): Refusal => ({ field, message });

/**
 * The first thing wrong with the settings, or null. Fields are named as the route's schema names them
 * (`environments.1.name`), so a client reads one format whichever check refused.
 */
export function checkReleaseSettings(s: ReleaseSettings): Refusal | null {
  const envs = s.environments;
  if (envs.length < 2)
    return refuse('environments', 'name at least two environments: one before live, and live');
  if (envs.length > 12) return refuse('environments', 'at most 12 environments');
  const seen = new Set<string>();
  for (const [i, env] of envs.entries()) {
    if (!NAME.test(env.name))
      return refuse(
        `environments.${i}.name`,
        'lower-case letters, digits and hyphens, 1–40 characters, starting with a letter or digit',
      );
    if (seen.has(env.name)) return refuse(`environments.${i}.name`, `"${env.name}" is named twice`);
    seen.add(env.name);
    const checks = new Set<string>();
    for (const [j, check] of env.checks.entries()) {
      if (check.trim() !== check || check === '')
        return refuse(`environments.${i}.checks.${j}`, 'a check name without leading or trailing spaces');
      if (checks.has(check))
        return refuse(`environments.${i}.checks.${j}`, `"${check}" is named twice in ${env.name}`);
      checks.add(check);
    }
  }
  const last = envs.length - 1;
  if (envs[last]!.name !== LIVE)
    return refuse(`environments.${last}.name`, `the last environment is the live one: name it ${LIVE}`);
  if (envs[last]!.checks.length > 0)
    return refuse(
      `environments.${last}.checks`,
      'live is reached by the go/no-go decision, where nothing runs: put verification checks on the environment before it (the shadow)',
    );

  if (s.approvers.length === 0) return refuse('approvers', 'name at least one role that decides go-live');
  for (const [i, role] of s.approvers.entries())
    if (NEVER_APPROVES.has(role))
      return refuse(`approvers.${i}`, `the ${role} role can never decide a go-live`);

  const keys = new Set<string>();
  for (const [i, item] of s.readiness.entries()) {
    if (!NAME.test(item.key))
      return refuse(`readiness.${i}.key`, 'lower-case letters, digits and hyphens, 1–40 characters');
    if (keys.has(item.key)) return refuse(`readiness.${i}.key`, `"${item.key}" is named twice`);
    keys.add(item.key);
    if (item.label.trim() === '') return refuse(`readiness.${i}.label`, 'must not be blank');
  }

  if (s.firebreak) {
    const index = envs.findIndex((e) => e.name === s.firebreak!.environment);
    if (index < 0 || index === last)
      return refuse(
        'firebreak.environment',
        `a firebreak pauses at an environment before live: one of ${envs
          .slice(0, -1)
          .map((e) => e.name)
          .join(', ')}`,
      );
    if (s.firebreak.reason.trim() === '')
      return refuse('firebreak.reason', 'say why the release pauses there');
    if (s.firebreak.approvers.length === 0)
      return refuse('firebreak.approvers', 'name at least one role that approves the firebreak');
  }
  return null;
}

/** The checks per environment, as a release keeps them (environments without checks left out). */
export function checksByEnvironment(envs: readonly PathEnvironment[]): Record<string, string[]> {
  return Object.fromEntries(envs.filter((e) => e.checks.length > 0).map((e) => [e.name, [...e.checks]]));
}
