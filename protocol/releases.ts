/**
 * Releases on the path to live: the wire format of the release API (issue 16). The rules behind it
 * are in server/domain/release.ts.
 */
import { type Static, Type } from 'typebox';
import { DateOnly, Nullable, RoleSchema, StreamSchema, Uuid } from './model.ts';

export const RELEASE_STATES = [
  'planned',
  'on_path',
  'stopped',
  'firebreak',
  'awaiting_go',
  'live',
  'cancelled',
] as const;

const EnvironmentName = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,39}$',
  description: 'lower-case letters, digits and hyphens, 1–40 characters',
});

/** A git tag as CI names it (refs/tags/ stripped), for matching deployment events to a release. */
export const ReleaseTag = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\s]+$',
  description: 'the git tag, e.g. v2.4.0',
});

/** A commit SHA, full or abbreviated (at least 7 hex digits). */
export const CommitSha = Type.String({
  pattern: '^[0-9a-fA-F]{7,64}$',
  description: 'the commit SHA, full or at least 7 hex digits',
});

/** A web address people open from the release page: http(s) only, so a link cannot run script. */
export const WebUrl = Type.String({
  format: 'uri',
  maxLength: 2000,
  pattern: '^[hH][tT][tT][pP][sS]?://',
  description: 'an http(s) URL',
});

const CheckNameOptions = { minLength: 1, maxLength: 60, pattern: '^\\S(.*\\S)?$' } as const;
const CheckName = Type.String({ ...CheckNameOptions, description: 'no leading or trailing spaces' });
const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });

export const FailedRunSchema = Type.Object({
  environment: Type.String(),
  runId: Type.String(),
  kind: Type.Union([Type.Literal('deployment'), Type.Literal('check')]),
  url: Type.Optional(Type.String()),
});

export const FirebreakSchema = Type.Object({
  environment: Type.String(),
  reason: Type.String(),
  approvers: Type.Array(RoleSchema),
  approvedBy: Type.Array(Type.Object({ userId: Uuid, role: RoleSchema })),
  manualTests: Type.Array(Type.Object({ name: Type.String(), passed: Type.Boolean() })),
});

export const ReadinessItemSchema = Type.Object({
  key: Type.String(),
  label: Type.String(),
  done: Type.Boolean(),
  waivedReason: Type.Optional(Type.String()),
});

export const VerdictSchema = Type.Object({
  userId: Uuid,
  userName: Type.String(),
  role: RoleSchema,
  verdict: Type.Union([Type.Literal('go'), Type.Literal('no_go')]),
  reason: Type.String(),
  at: Type.String({ format: 'date-time' }),
});

export const ReleaseSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  version: Type.String(),
  /** the git tag CI deploys it from, if known: deployment events find the release by it */
  tag: Nullable(Type.String()),
  /** the commit SHA (lower-case hex) CI deploys it from, if known */
  commit: Nullable(Type.String()),
  targetDate: Nullable(DateOnly),
  stream: StreamSchema,
  notes: Type.String(),
  // an enum, not a union mapped from the array: the union's static type was `never`
  state: Type.Enum([...RELEASE_STATES]),
  environments: Type.Array(Type.String()),
  /** index into `environments` of the furthest one passed; -1 before the first */
  reached: Type.Integer(),
  stop: Nullable(FailedRunSchema),
  firebreak: Nullable(FirebreakSchema),
  shadowUrl: Nullable(Type.String()),
  readiness: Type.Array(ReadinessItemSchema),
  approvers: Type.Array(RoleSchema),
  verdicts: Type.Array(VerdictSchema),
  cardIds: Type.Array(Uuid),
  liveAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  revision: Type.Integer({ description: 'bumped by every change of the release' }),
  checks: Type.Record(Type.String(), Type.Array(Type.String()), {
    description:
      'environment → the automated checks run there, kept from the board settings it was planned with',
  }),
  userActions: Type.String({ description: 'what users must do (Markdown)' }),
  changeWindow: Type.String({ description: 'when users are affected, e.g. a downtime window' }),
  cancelReason: Nullable(Type.String()),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Release = Static<typeof ReleaseSchema>;

export const CreateReleaseBody = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
    tag: Type.Optional(Nullable(ReleaseTag)),
    commit: Type.Optional(Nullable(CommitSha)),
    targetDate: Type.Optional(Nullable(DateOnly)),
    stream: StreamSchema,
    notes: Type.Optional(Type.String({ maxLength: 20_000 })),
    firebreak: Type.Optional(
      Nullable(
        Type.Object(
          {
            environment: EnvironmentName,
            reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
            approvers: Type.Array(RoleSchema, { minItems: 1, maxItems: 5 }),
          },
          {
            additionalProperties: false,
            description: "left out: the board's default firebreak (if any); null: none",
          },
        ),
      ),
    ),
    userActions: Type.Optional(Text(5_000, 'what users must do (Markdown)')),
    changeWindow: Type.Optional(Text(200, 'when users are affected')),
  },
  { additionalProperties: false },
);
export type CreateReleaseInput = Static<typeof CreateReleaseBody>;

export const ReleaseScopeBody = Type.Object(
  {
    add: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
    remove: Type.Optional(Type.Array(Uuid, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type ReleaseScopeInput = Static<typeof ReleaseScopeBody>;

export const DeploymentReportBody = Type.Object(
  {
    environment: EnvironmentName,
    runId: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Union([Type.Literal('deployment'), Type.Literal('check')]),
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    url: Type.Optional(
      Type.String({ format: 'uri', maxLength: 2000, description: "the run's page (its log)" }),
    ),
    environmentUrl: Type.Optional({
      ...WebUrl,
      description:
        "where the deployed environment answers; a successful deployment in the production shadow records it as the release's shadow URL",
    }),
    check: Type.Optional(
      Type.String({
        ...CheckNameOptions,
        description: "for kind check: which of the environment's configured checks ran",
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeploymentReportInput = Static<typeof DeploymentReportBody>;

export const GateAnswerSchema = Type.Object({
  allowed: Type.Boolean(),
  environment: Type.String(),
  reason: Type.Optional(Type.String()),
  state: Type.String(),
});

export const VerdictBody = Type.Object(
  {
    verdict: Type.Union([Type.Literal('go'), Type.Literal('no_go')]),
    reason: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type VerdictInput = Static<typeof VerdictBody>;

export const ReadinessBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 60 }),
    done: Type.Boolean(),
    waivedReason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ReadinessInput = Static<typeof ReadinessBody>;

// ---- the board's path-to-live settings ----------------------------------------------------------

const FirebreakPlan = Type.Object(
  {
    environment: EnvironmentName,
    reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
    approvers: Type.Array(RoleSchema, { minItems: 1, maxItems: 5 }),
  },
  { additionalProperties: false },
);

export const ReleaseSettingsBody = Type.Object(
  {
    environments: Type.Array(
      Type.Object(
        {
          name: EnvironmentName,
          checks: Type.Array(CheckName, { maxItems: 20, description: 'automated checks run there' }),
        },
        { additionalProperties: false },
      ),
      {
        minItems: 2,
        maxItems: 12,
        description: 'in order; names unique; the last is live (reached by the go/no-go decision)',
      },
    ),
    approvers: Type.Array(RoleSchema, {
      minItems: 1,
      maxItems: 6,
      description:
        'go/no-go policy: a go from each role named (named twice: two people); never developer or viewer',
    }),
    readiness: Type.Array(
      Type.Object(
        {
          key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
          label: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20, description: 'the operational readiness checklist each new release starts with' },
    ),
    firebreak: Nullable(FirebreakPlan),
  },
  { additionalProperties: false },
);
export type ReleaseSettingsInput = Static<typeof ReleaseSettingsBody>;

export const ReleaseSettingsSchema = Type.Object({
  ...ReleaseSettingsBody.properties,
  custom: Type.Boolean({ description: 'false: the board uses the defaults' }),
});
export type ReleaseSettings = Static<typeof ReleaseSettingsSchema>;

// ---- editing a release before go-live ----------------------------------------------------------

export const UpdateReleaseBody = Type.Object(
  {
    revision: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'the revision the edit was made on (or send If-Match); another change since is a 409',
      }),
    ),
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' })),
    targetDate: Type.Optional(Nullable(DateOnly)),
    tag: Type.Optional(Nullable(ReleaseTag)),
    commit: Type.Optional(Nullable(CommitSha)),
    shadowUrl: Type.Optional(
      Nullable({ ...WebUrl, description: 'the hidden URL the production shadow answers at; null clears it' }),
    ),
    notes: Type.Optional(Text(20_000, 'release notes (Markdown)')),
    userActions: Type.Optional(Text(5_000, 'what users must do (Markdown)')),
    changeWindow: Type.Optional(
      Text(200, 'when users are affected, e.g. "Sat 02:00–03:00 CET, 10 min downtime"'),
    ),
    cancel: Type.Optional(
      Type.Object(
        { reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }) },
        { additionalProperties: false, description: 'cancel the release, saying why' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type UpdateReleaseInput = Static<typeof UpdateReleaseBody>;

// ---- the runs reported on a release -------------------------------------------------------------

export const ReleaseRunSchema = Type.Object({
  id: Uuid,
  environment: Type.String(),
  kind: Type.Union([Type.Literal('deployment'), Type.Literal('check')]),
  /** for a check: which of the environment's configured checks ran */
  check: Nullable(Type.String()),
  runId: Type.String(),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
  /** the run's page (its log) */
  url: Nullable(Type.String()),
  /** where the deployed environment answers, when the tool said */
  environmentUrl: Nullable(Type.String()),
  reportedAt: Type.String({ format: 'date-time' }),
  /** the person who reported it (an API token reports as its owner); null for a plugin */
  reportedBy: Nullable(Type.Object({ userId: Uuid, name: Type.String() })),
  /** the plugin that reported it (e.g. github-deployments); null for a person */
  plugin: Nullable(Type.String()),
});
export type ReleaseRun = Static<typeof ReleaseRunSchema>;

export const ReleaseRunsSchema = Type.Object({
  releaseId: Uuid,
  /** in the order they were recorded */
  runs: Type.Array(ReleaseRunSchema),
});
export type ReleaseRuns = Static<typeof ReleaseRunsSchema>;

// ---- the calendar feed ----------------------------------------------------------------------------

export const FeedTokenSchema = Type.Object({
  token: Type.String({ description: 'shown once; the feed URL carries it' }),
  prefix: Type.String(),
  feedUrl: Type.String({ description: 'the path to subscribe to, with the token' }),
  createdAt: Type.String({ format: 'date-time' }),
});
export type FeedToken = Static<typeof FeedTokenSchema>;
