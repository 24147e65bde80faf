/**
 * Feature flags, the pure part: the catalogue of flags the code reads, which override applies to a
 * board and role (the most specific scope wins), and whether a value fits a flag's type.
 *
 * Scopes, from least to most specific: the installation (no board, no role), a role on every board,
 * one board, a role on one board. A board is more specific than a role: a role spans every board,
 * a board is one place. No override matching: the flag's default.
 */
import type { FlagScope, FlagType, FlagValue } from '../../protocol/flags.ts';
import type { Role } from '../../protocol/model.ts';

export interface FlagDefinition {
  key: string;
  description: string;
  type: FlagType;
  defaultValue: FlagValue;
}

/**
 * Every flag the code reads. New capabilities ship behind a flag that defaults on, so an operator can
 * turn one off for an installation, a board or a role without a release. `service-desk` took the place
 * of the `sla` placeholder (migration 2026-12-05T0200 carries its overrides over).
 */
export const FLAG_CATALOGUE: readonly FlagDefinition[] = [
  {
    key: 'reports',
    description: 'The Reports tab and the report API (velocity, burndown, cumulative flow)',
    type: 'boolean',
    defaultValue: true,
  },
  {
    key: 'releases',
    description: 'Releases: the release API (plan, deployments, the gate, go/no-go); no screens yet',
    type: 'boolean',
    defaultValue: true,
  },
  {
    key: 'hypercare',
    description: 'Hyper-care windows (not built yet)',
    type: 'boolean',
    defaultValue: true,
  },
  {
    key: 'service-desk',
    description:
      'The service desk: SLA clocks and settings, on-call (who is on duty, rotas, escalations, alert noise), problems and known errors, major incidents, the request portal. Off hides and refuses them; clocks and escalations keep running, mailed requests still arrive',
    type: 'boolean',
    defaultValue: true,
  },
];

export interface FlagRule extends FlagScope {
  value: FlagValue;
}

/** Who a flag is evaluated for. A site administrator counts as `admin` on every board. */
export interface FlagTarget {
  boardId: string | null;
  role: Role | null;
}

/** How specific a scope is; -1 when it does not apply to the target. */
export function specificity(scope: FlagScope, target: FlagTarget): number {
  if (scope.boardId !== null && scope.boardId !== target.boardId) return -1;
  if (scope.role !== null && scope.role !== target.role) return -1;
  return (scope.boardId !== null ? 2 : 0) + (scope.role !== null ? 1 : 0);
}

export type FlagReason = 'DEFAULT' | 'TARGETING_MATCH';

/** The flag's value for the target: the most specific matching rule, else the default. */
export function evaluateFlag(
  defaultValue: FlagValue,
  rules: readonly FlagRule[],
  target: FlagTarget,
): { value: FlagValue; reason: FlagReason; scope: FlagScope | null } {
  let best: FlagRule | null = null;
  let bestRank = -1;
  for (const rule of rules) {
    const rank = specificity(rule, target);
    if (rank > bestRank) {
      best = rule;
      bestRank = rank;
    }
  }
  if (!best) return { value: defaultValue, reason: 'DEFAULT', scope: null };
  return { value: best.value, reason: 'TARGETING_MATCH', scope: { boardId: best.boardId, role: best.role } };
}

/** Null when the value fits the type, else why not (for a 400 naming `value`). */
export function valueMismatch(type: FlagType, value: FlagValue): string | null {
  if (typeof value === type && (type !== 'number' || Number.isFinite(value))) return null;
  return `flag is a ${type}, got ${typeof value}`;
}
