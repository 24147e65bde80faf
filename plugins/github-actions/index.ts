/**
 * GitHub Actions: a failed `workflow_run` becomes a defect ticket, deduplicated per repository,
 * workflow and branch; the next green run of that workflow on that branch recovers it.
 * Verified with X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the webhook secret).
 */
import {
  definePlugin,
  firstLine,
  type InboundRequest,
  matchesPattern,
  PayloadError,
  SeveritySchema,
  type TSchema,
  Type,
  ticketConfigFields,
  verifyGitHubSignature,
} from '../../protocol/plugin.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const WorkflowRun = Type.Object({
  id: Type.Integer(),
  name: Nullable(Type.String()),
  head_branch: Nullable(Type.String()),
  head_sha: Type.String(),
  run_number: Type.Integer(),
  run_attempt: Type.Optional(Type.Integer()),
  event: Type.String(),
  status: Nullable(Type.String()),
  conclusion: Nullable(Type.String()),
  workflow_id: Type.Integer(),
  html_url: Type.String(),
  updated_at: Type.Optional(Type.String()),
  actor: Type.Optional(Nullable(Type.Object({ login: Type.String() }))),
  head_commit: Type.Optional(Nullable(Type.Object({ message: Type.Optional(Type.String()) }))),
});
// Any event the webhook is subscribed to arrives here (a ping has no run, an organisation's ping no
// repository), so only the run's fields are required, and only when there is a run.
const WorkflowRunEvent = Type.Object({
  action: Type.Optional(Type.String()),
  workflow_run: Type.Optional(WorkflowRun),
  repository: Type.Optional(
    Type.Object({ full_name: Type.String(), default_branch: Type.Optional(Type.String()) }),
  ),
});

const FAILURES = ['failure', 'timed_out', 'startup_failure', 'cancelled', 'action_required'] as const;

const configSchema = Type.Object(
  {
    ...ticketConfigFields({
      rules: [{ when: { branch: 'default' }, stream: 'development', lane: 'standard', position: 'top' }],
      fallback: { stream: 'development', lane: 'standard', position: 'bottom' },
    }),
    branches: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: "only these branches ('*' wildcard); empty = all",
    }),
    failOn: Type.Array(Type.Enum([...FAILURES]), {
      default: ['failure', 'timed_out', 'startup_failure'],
      description: 'conclusions that count as a failure',
    }),
    severity: Type.Object(
      {
        defaultBranch: { ...SeveritySchema, default: 'high' },
        otherBranches: { ...SeveritySchema, default: 'medium' },
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

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

export default definePlugin({
  id: 'github-actions',
  name: 'GitHub Actions',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Failed workflow runs become defect tickets; a green run recovers them.',
  configSchema,
  webhooks: {
    events: {
      description:
        'GitHub repository or organisation webhook, content type application/json, event "Workflow runs"',
      verify: verifyGitHubSignature,
      parse,
      payloadSchema: WorkflowRunEvent,
      deliveryId: (req) => req.headers['x-github-delivery'],
      handle(payload, ctx) {
        const event = ctx.delivery.headers['x-github-event'];
        if (event === 'ping') return ctx.ignore('ping: the webhook is set up');
        if (event !== 'workflow_run')
          return ctx.ignore(`"${event}" events are not used; subscribe to workflow runs only`);
        const run = payload.workflow_run;
        if (payload.action !== 'completed' || !run) return ctx.ignore(`workflow run ${payload.action}`);
        const branch = run.head_branch ?? '';
        const { branches, failOn, severity } = ctx.config;
        if (branches.length > 0 && !branches.some((b) => matchesPattern(b, branch)))
          return ctx.ignore(`branch ${branch} is not followed`);
        if (!payload.repository) return ctx.ignore('the workflow run names no repository');
        const repo = payload.repository.full_name;
        const dedupKey = `${repo}:${run.workflow_id}:${branch}`;
        const onDefaultBranch = branch !== '' && branch === payload.repository.default_branch;
        const workflow = run.name ?? `workflow ${run.workflow_id}`;
        if (run.conclusion && (failOn as readonly string[]).includes(run.conclusion)) {
          ctx.tickets.raise({
            dedupKey,
            kind: 'ci_failure',
            title: `${workflow} failing on ${branch} (${repo})`,
            description:
              `Run #${run.run_number} (attempt ${run.run_attempt ?? 1}) of ${workflow} concluded "${run.conclusion}" ` +
              `on ${run.head_sha.slice(0, 7)}: ${firstLine(run.head_commit?.message)}\n` +
              `Triggered by ${run.event}${run.actor ? ` by ${run.actor.login}` : ''}.\n${run.html_url}`,
            url: run.html_url,
            severity: onDefaultBranch ? severity.defaultBranch : severity.otherBranches,
            labels: ['ci', 'github-actions'],
            occurrenceId: `${run.id}:${run.run_attempt ?? 1}`,
            ...(run.updated_at ? { occurredAt: run.updated_at } : {}),
            branch,
            onDefaultBranch,
          });
          return { summary: `${workflow} #${run.run_number} failed on ${branch}` };
        }
        if (run.conclusion === 'success') {
          ctx.tickets.recover(dedupKey, {
            note: `Run #${run.run_number} of ${workflow} passed.`,
            url: run.html_url,
          });
          return { summary: `${workflow} #${run.run_number} passed on ${branch}` };
        }
        return ctx.ignore(`conclusion "${run.conclusion}" is neither a failure nor a success`);
      },
    },
  },
});
