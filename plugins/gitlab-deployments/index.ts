/**
 * GitLab deployments: a Deployment Hook reports a finished deployment on the release it names (the
 * deployment's `ref` as a tag, its commit from `commit_url` or `short_sha`), in its `environment`
 * (mapped through the `environments` config). success → the release moves on; failed → the line
 * stops there; created, running and canceled are not outcomes. Verified with X-Gitlab-Token, the
 * secret token set on the GitLab webhook, compared in constant time.
 */
import { definePlugin, releaseConfigFields, type TSchema, Type } from '../../protocol/plugin.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A Deployment Hook, the fields read here (GitLab sends more). */
const Deployment = Type.Object({
  object_kind: Type.Literal('deployment'),
  status: Type.String(),
  deployment_id: Type.Integer(),
  deployable_id: Type.Optional(Nullable(Type.Integer())),
  /** the job that ran the deployment; null when it came through the API or a trigger job */
  deployable_url: Type.Optional(Nullable(Type.String())),
  environment: Type.String(),
  environment_external_url: Type.Optional(Nullable(Type.String())),
  short_sha: Type.Optional(Nullable(Type.String())),
  commit_url: Type.Optional(Nullable(Type.String())),
  commit_title: Type.Optional(Nullable(Type.String())),
  ref: Type.Optional(Nullable(Type.String())),
  project: Type.Object({ id: Type.Integer(), path_with_namespace: Type.String() }),
});
// The webhook may be subscribed to other events too: they pass unchecked and are ignored; a body
// that says it is a deployment must be one.
const OtherEvent = Type.Object({ object_kind: Type.Optional(Type.String({ not: { const: 'deployment' } })) });
const DeploymentEvent = Type.Union([Deployment, OtherEvent]);

/** The full SHA at the end of `commit_url` (…/-/commit/<sha>), else the short one. */
function commitOf(d: { commit_url?: string | null; short_sha?: string | null }): string | undefined {
  const full = /\/commit\/([0-9a-f]{7,64})\/?$/i.exec(d.commit_url ?? '')?.[1];
  const sha = full ?? d.short_sha ?? undefined;
  return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined;
}

export default definePlugin({
  id: 'gitlab-deployments',
  name: 'GitLab deployments',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Deployment events move releases along their path; a failed deployment stops the line.',
  configSchema: Type.Object({ ...releaseConfigFields() }, { additionalProperties: false }),
  webhooks: {
    events: {
      description: 'GitLab project webhook with "Deployment events" and this secret token',
      verify(req, ctx) {
        const token = req.headers['x-gitlab-token'];
        if (!token) return 'missing X-Gitlab-Token header (set the secret token on the GitLab webhook)';
        return ctx.safeEqual(token, ctx.secret) || 'X-Gitlab-Token does not match';
      },
      payloadSchema: DeploymentEvent,
      deliveryId: (req) => req.headers['idempotency-key'] ?? req.headers['x-gitlab-event-uuid'],
      handle(event, ctx) {
        if (event.object_kind !== 'deployment' || !('deployment_id' in event))
          return ctx.ignore(
            `"${ctx.delivery.headers['x-gitlab-event'] ?? event.object_kind}" events are not used; enable deployment events only`,
          );
        const d = event;
        if (d.status !== 'success' && d.status !== 'failed')
          return ctx.ignore(`deployment ${d.deployment_id} is ${d.status}: not an outcome`);
        const commit = commitOf(d);
        // The run's page is the deploy job; environment_external_url is where the deployment answers
        // (in the production shadow, the shadow's hidden URL).
        const url = d.deployable_url ?? undefined;
        const external = d.environment_external_url?.trim();
        const environmentUrl =
          d.status === 'success' && external && /^https?:\/\/\S+$/i.test(external) ? external : undefined;
        ctx.releases.report({
          match: { ...(d.ref ? { tag: d.ref } : {}), ...(commit ? { commit } : {}) },
          environment: d.environment,
          runId: `gitlab:${d.project.id}:${d.deployment_id}`,
          kind: 'deployment',
          outcome: d.status === 'success' ? 'success' : 'failure',
          ...(url ? { url } : {}),
          ...(environmentUrl ? { environmentUrl } : {}),
        });
      },
    },
  },
});
