/**
 * Jenkins deployments: a pipeline's `post { success {…} failure {…} }` posts one small JSON document
 * (the Jenkinsfile step is in README.md) reporting the deployment (or check) it ran on the release
 * it names by version, tag or commit. Signed like the generic formats: `X-Blendboard-Signature:
 * sha256=<HMAC-SHA256 of the body>` (or `Authorization: Bearer <secret>`).
 */
import {
  definePlugin,
  releaseConfigFields,
  type TSchema,
  Type,
  verifyBearerOrSignature,
} from '../../protocol/plugin.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
// Groovy's JsonOutput writes an unset env variable (GIT_COMMIT outside a git checkout…) as null.
const Maybe = <T extends TSchema>(t: T) => Type.Optional(Nullable(t));

export const JenkinsDeployment = Type.Object({
  /** env.JOB_NAME, e.g. payments-api/main */
  job: Type.String({ minLength: 1, maxLength: 200 }),
  /** env.BUILD_NUMBER */
  build: Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Integer({ minimum: 0 })]),
  /** what the post condition saw; currentBuild.currentResult (SUCCESS, UNSTABLE, FAILURE, ABORTED) works too */
  status: Type.String({ minLength: 1, maxLength: 20 }),
  environment: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Maybe(Type.Enum(['deployment', 'check'])),
  version: Maybe(Type.String({ minLength: 1, maxLength: 60 })),
  tag: Maybe(Type.String({ minLength: 1, maxLength: 200 })),
  commit: Maybe(Type.String({ maxLength: 64 })),
  /** env.BUILD_URL */
  url: Maybe(Type.String({ minLength: 1, maxLength: 2000 })),
  /** where the deployed environment answers (for the production shadow: its hidden URL) */
  environmentUrl: Maybe(Type.String({ maxLength: 2000, pattern: '^[hH][tT][tT][pP][sS]?://\\S+$' })),
});

const SUCCEEDED = new Set(['success']);
// An unstable build is one whose tests failed: for a release that is a failure.
const FAILED = new Set(['failure', 'failed', 'unstable']);

export default definePlugin({
  id: 'jenkins-deployments',
  name: 'Jenkins deployments',
  version: '1.0.0',
  apiVersion: 1,
  description: 'A Jenkinsfile post step reports deployments on releases; a failed one stops the line.',
  configSchema: Type.Object({ ...releaseConfigFields() }, { additionalProperties: false }),
  webhooks: {
    deployments: {
      description: 'POST from a Jenkinsfile post step, signed with X-Blendboard-Signature (see README)',
      verify: verifyBearerOrSignature,
      payloadSchema: JenkinsDeployment,
      deliveryId: (req, d) =>
        req.headers['idempotency-key'] ?? `${d.job}#${d.build}:${d.environment}:${d.status.toLowerCase()}`,
      handle(d, ctx) {
        const status = d.status.toLowerCase();
        const build = `${d.job} #${d.build}`;
        if (!SUCCEEDED.has(status) && !FAILED.has(status))
          return ctx.ignore(`${build} is ${d.status}: not an outcome`);
        const commit = d.commit && /^[0-9a-f]{7,64}$/i.test(d.commit) ? d.commit : undefined;
        ctx.releases.report({
          match: {
            ...(d.version ? { version: d.version } : {}),
            ...(d.tag ? { tag: d.tag } : {}),
            ...(commit ? { commit } : {}),
          },
          environment: d.environment,
          runId: `jenkins:${d.job}#${d.build}`,
          kind: d.kind === 'check' ? 'check' : 'deployment',
          outcome: SUCCEEDED.has(status) ? 'success' : 'failure',
          ...(d.url ? { url: d.url } : {}),
          ...(d.environmentUrl && SUCCEEDED.has(status) ? { environmentUrl: d.environmentUrl } : {}),
        });
      },
    },
  },
});
