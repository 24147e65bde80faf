/**
 * GitHub deployments: a `deployment_status` event reports a finished deployment on the release it
 * names (commit `deployment.sha`, tag `deployment.ref`, or a `version` in `deployment.payload`), in
 * the environment of the status (mapped through the `environments` config). success → the release
 * moves on; failure or error → the line stops there; pending, queued, in_progress and inactive
 * are not outcomes. Verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw body).
 */
import {
  definePlugin,
  type InboundRequest,
  PayloadError,
  releaseConfigFields,
  type TSchema,
  Type,
  verifyGitHubSignature,
} from '../../protocol/plugin.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Deployment = Type.Object({
  id: Type.Integer(),
  sha: Type.String(),
  ref: Type.String(),
  task: Type.Optional(Type.String()),
  /** free-form: an object (or a JSON string) the deploying tool chose; `version` is read from it */
  payload: Type.Optional(Type.Unknown()),
  environment: Type.String(),
  description: Type.Optional(Nullable(Type.String())),
});
const DeploymentStatus = Type.Object({
  id: Type.Integer(),
  state: Type.String(),
  environment: Type.Optional(Type.String()),
  description: Type.Optional(Nullable(Type.String())),
  target_url: Type.Optional(Nullable(Type.String())),
  log_url: Type.Optional(Nullable(Type.String())),
  environment_url: Type.Optional(Nullable(Type.String())),
});
// Other events the webhook may be subscribed to (a ping first of all) carry neither object.
const DeploymentStatusEvent = Type.Object({
  action: Type.Optional(Type.String()),
  deployment_status: Type.Optional(DeploymentStatus),
  deployment: Type.Optional(Deployment),
  repository: Type.Optional(Type.Object({ full_name: Type.String() })),
});

const FAILED = new Set(['failure', 'error']);

function parse(req: InboundRequest): unknown {
  const text = new TextDecoder().decode(req.rawBody);
  // GitHub can be set to send application/x-www-form-urlencoded: payload=<json>.
  const json = req.contentType.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(text).get('payload')
    : text;
  try {
    return JSON.parse(json ?? '');
  } catch {
    throw new PayloadError('the body is not a JSON GitHub event', 'body');
  }
}

/** `deployment.payload.version`, when the deploying workflow put one there (object or JSON text). */
function versionIn(payload: unknown): string | undefined {
  let p = payload;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p);
    } catch {
      return undefined;
    }
  }
  const v = typeof p === 'object' && p !== null ? (p as { version?: unknown }).version : undefined;
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 60) : undefined;
}

const nonEmpty = (...urls: (string | null | undefined)[]) => urls.find((u) => u && u.trim() !== '');
/** An http(s) address, else nothing (a page must not link to anything else). */
const httpUrl = (u: string | null | undefined) =>
  u && /^https?:\/\/\S+$/i.test(u.trim()) ? u.trim() : undefined;

export default definePlugin({
  id: 'github-deployments',
  name: 'GitHub deployments',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Deployment statuses move releases along their path; a failed deployment stops the line.',
  configSchema: Type.Object({ ...releaseConfigFields() }, { additionalProperties: false }),
  webhooks: {
    events: {
      description:
        'GitHub repository or organisation webhook, content type application/json, event "Deployment statuses"',
      verify: verifyGitHubSignature,
      parse,
      payloadSchema: DeploymentStatusEvent,
      deliveryId: (req) => req.headers['x-github-delivery'],
      handle(event, ctx) {
        const name = ctx.delivery.headers['x-github-event'];
        if (name === 'ping') return ctx.ignore('ping: the webhook is set up');
        if (name !== 'deployment_status')
          return ctx.ignore(`"${name}" events are not used; subscribe to deployment statuses only`);
        const status = event.deployment_status;
        const deployment = event.deployment;
        if (!status || !deployment) return ctx.ignore('the event carries no deployment status');
        const state = status.state;
        if (state !== 'success' && !FAILED.has(state))
          return ctx.ignore(`deployment ${deployment.id} is ${state}: not an outcome`);
        const version = versionIn(deployment.payload);
        // The run's page is its log; environment_url is where the deployment answers (in the
        // production shadow, the shadow's hidden URL).
        const url = nonEmpty(status.log_url, status.target_url);
        const environmentUrl = state === 'success' ? httpUrl(status.environment_url) : undefined;
        const sha = /^[0-9a-f]{7,64}$/i.test(deployment.sha) ? deployment.sha : undefined;
        ctx.releases.report({
          match: {
            ...(version ? { version } : {}),
            ...(deployment.ref && deployment.ref !== deployment.sha ? { tag: deployment.ref } : {}),
            ...(sha ? { commit: sha } : {}),
          },
          environment: status.environment || deployment.environment,
          runId: `github:${deployment.id}:${status.id}`,
          kind: 'deployment',
          outcome: state === 'success' ? 'success' : 'failure',
          ...(url ? { url } : {}),
          ...(environmentUrl ? { environmentUrl } : {}),
        });
      },
    },
  },
});
