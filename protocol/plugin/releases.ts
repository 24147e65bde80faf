/**
 * Releases as a plugin reports on them (issue 16, deployment events): a deployment or check run in
 * an environment, for the release CI names by version, tag or commit. The host finds the release,
 * maps the tool's environment name through the installation's `environments` config, and applies
 * the report through the release service's own write path, in the delivery's transaction: a failure
 * stops the line and raises the linked defect, a success moves the release on or lifts its stop.
 */
import { type Static, Type } from 'typebox';
import { oneOf } from './schema-builders.ts';

/** How CI names the release: any of these; the first that names an open release decides. */
export const ReleaseMatchSchema = Type.Object(
  {
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    /** a git tag; `refs/tags/` is stripped */
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** a commit SHA, full or at least 7 hex digits */
    commit: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{7,64}$' })),
  },
  { additionalProperties: false },
);
export type ReleaseMatch = Static<typeof ReleaseMatchSchema>;

export const ReleaseReportSchema = Type.Object(
  {
    match: ReleaseMatchSchema,
    /** the tool's environment name; the installation's `environments` config maps it to the board's */
    environment: Type.String({ minLength: 1, maxLength: 100 }),
    /** the tool's id for this run: the same run reported twice is recorded once */
    runId: Type.String({ minLength: 1, maxLength: 200 }),
    kind: oneOf(['deployment', 'check'] as const),
    outcome: oneOf(['success', 'failure'] as const),
    /** the run's page (its log) */
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    /**
     * where the deployed environment answers (GitHub's `environment_url`, GitLab's
     * `environment_external_url`); a success in the production shadow records it as the shadow URL
     */
    environmentUrl: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, pattern: '^[hH][tT][tT][pP][sS]?://' }),
    ),
  },
  { additionalProperties: false },
);
export type ReleaseReport = Static<typeof ReleaseReportSchema>;

/** What a handler may do to releases. Calls are recorded and applied with its other actions. */
export interface ReleaseActions {
  /**
   * A finished deployment or check run. Report only finished runs: pending or in-progress states
   * are not outcomes (call `ctx.ignore` with the state instead).
   */
  report(report: ReleaseReport): void;
}

/** The board environment names a tool's names map to, e.g. `{ "production": "live" }`. */
export const EnvironmentMapSchema = Type.Record(
  Type.String({ minLength: 1, maxLength: 100 }),
  Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
  {
    description:
      "the tool's environment name → the board's (e.g. staging → pre-production); a name not listed is used as it is, lower-cased",
  },
);

/** What most pipelines call the two environments a board's default path names otherwise. */
export const DEFAULT_ENVIRONMENT_MAP = {
  staging: 'pre-production',
  production: 'production-shadow',
} as const;

/** The config field the host reads when it applies release reports (`environments`). */
export function releaseConfigFields(defaults: Record<string, string> = DEFAULT_ENVIRONMENT_MAP) {
  return { environments: { ...EnvironmentMapSchema, default: { ...defaults } } };
}

/** The board environment a tool's environment name maps to under an installation's config. */
export function boardEnvironment(config: unknown, toolName: string): string {
  const map = ((config ?? {}) as { environments?: Record<string, string> }).environments ?? {};
  return map[toolName] ?? map[toolName.toLowerCase()] ?? toolName.trim().toLowerCase();
}

/** "version 2.4.0 / tag v2.4.0 / commit 279484c0": how a report named its release, for the delivery log. */
export function describeMatch(match: ReleaseMatch): string {
  const parts = [
    match.version ? `version ${match.version}` : '',
    match.tag ? `tag ${match.tag}` : '',
    match.commit ? `commit ${match.commit}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' / ') : 'nothing (no version, tag or commit)';
}
