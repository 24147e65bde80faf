/**
 * GitLab CI: a failed pipeline (Pipeline Hook) becomes a defect ticket, deduplicated per project,
 * ref and source (push, schedule, merge request…); the next successful pipeline there recovers it.
 * The pipeline's display name is not part of the key: it may change from run to run. Verified with X-Gitlab-Token, the
 * secret token set on the GitLab webhook, compared in constant time.
 */
import {
  definePlugin,
  firstLine,
  keyOrOpenLegacy,
  matchesPattern,
  SeveritySchema,
  type TSchema,
  Type,
  ticketConfigFields,
} from '../../protocol/plugin.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A Pipeline Hook, the fields read here (GitLab sends more). */
const Pipeline = Type.Object({
  object_kind: Type.Literal('pipeline'),
  object_attributes: Type.Object({
    id: Type.Integer(),
    iid: Type.Optional(Type.Integer()),
    name: Type.Optional(Nullable(Type.String())),
    ref: Type.String(),
    tag: Type.Boolean(),
    sha: Type.String(),
    source: Type.Optional(Type.String()),
    status: Type.String(),
    url: Type.Optional(Type.String()),
  }),
  project: Type.Object({
    id: Type.Integer(),
    path_with_namespace: Type.String(),
    web_url: Type.String(),
    default_branch: Type.Optional(Type.String()),
  }),
  commit: Type.Optional(
    Nullable(Type.Object({ title: Type.Optional(Type.String()), message: Type.Optional(Type.String()) })),
  ),
  builds: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        stage: Type.String(),
        status: Type.String(),
        failure_reason: Type.Optional(Nullable(Type.String())),
      }),
    ),
  ),
});
// The webhook may be subscribed to other events too (push, merge requests…): they pass unchecked
// and are ignored; a body that says it is a pipeline must be one.
const OtherEvent = Type.Object({ object_kind: Type.Optional(Type.String({ not: { const: 'pipeline' } })) });
const PipelineEvent = Type.Union([Pipeline, OtherEvent]);

const configSchema = Type.Object(
  {
    ...ticketConfigFields({
      rules: [{ when: { branch: 'default' }, stream: 'development', lane: 'standard', position: 'top' }],
      fallback: { stream: 'development', lane: 'standard', position: 'bottom' },
    }),
    refs: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: "only these refs ('*' wildcard); empty = all",
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

export default definePlugin({
  id: 'gitlab-ci',
  name: 'GitLab CI',
  version: '1.1.0',
  apiVersion: 1,
  description: 'Failed pipelines become defect tickets; a successful pipeline on the same ref recovers them.',
  configSchema,
  webhooks: {
    pipeline: {
      description: 'GitLab project webhook with "Pipeline events" and the secret token',
      verify(req, ctx) {
        const token = req.headers['x-gitlab-token'];
        if (!token) return 'missing X-Gitlab-Token header (set the secret token on the GitLab webhook)';
        return ctx.safeEqual(token, ctx.secret) || 'X-Gitlab-Token does not match';
      },
      // Idempotency-Key stays the same across GitLab's retries of one delivery.
      payloadSchema: PipelineEvent,
      deliveryId: (req) => req.headers['idempotency-key'] ?? req.headers['x-gitlab-event-uuid'],
      async handle(p, ctx) {
        // A pipeline kind always matched `Pipeline` (OtherEvent refuses it), so this only narrows.
        if (p.object_kind !== 'pipeline' || !('object_attributes' in p))
          return ctx.ignore(`"${p.object_kind}" events are not used; enable pipeline events only`);
        const a = p.object_attributes;
        if (ctx.config.refs.length > 0 && !ctx.config.refs.some((r) => matchesPattern(r, a.ref)))
          return ctx.ignore(`ref ${a.ref} is not followed`);
        const project = p.project.path_with_namespace;
        const pipeline = a.name ? ` ${a.name}` : '';
        // What identifies the pipeline; 1.0 keyed on project, ref and display name, and a ticket
        // still open under such a key keeps being counted and recovered.
        const dedupKey = await keyOrOpenLegacy(
          ctx.tickets,
          `${p.project.id}:${a.ref}${a.source ? `:${a.source}` : ''}`,
          `${p.project.id}:${a.ref}${a.name ? `:${a.name}` : ''}`,
        );
        const url = a.url ?? `${p.project.web_url}/-/pipelines/${a.id}`;
        const onDefaultBranch = !a.tag && a.ref === p.project.default_branch;
        if (a.status === 'failed') {
          const failed = (p.builds ?? []).filter((b) => b.status === 'failed');
          ctx.tickets.raise({
            dedupKey,
            kind: 'ci_failure',
            title: `Pipeline${pipeline} failing on ${a.ref} (${project})`,
            description:
              `Pipeline #${a.iid ?? a.id} failed on ${a.sha.slice(0, 8)}: ${firstLine(p.commit?.title ?? p.commit?.message)}\n` +
              (failed.length > 0
                ? `Failed jobs: ${failed.map((b) => `${b.stage}/${b.name}${b.failure_reason ? ` (${b.failure_reason})` : ''}`).join(', ')}\n`
                : '') +
              url,
            url,
            severity: onDefaultBranch ? ctx.config.severity.defaultBranch : ctx.config.severity.otherBranches,
            labels: ['ci', 'gitlab'],
            occurrenceId: String(a.id),
            branch: a.ref,
            onDefaultBranch,
          });
          return { summary: `pipeline ${a.id} failed on ${a.ref}` };
        }
        if (a.status === 'success') {
          ctx.tickets.recover(dedupKey, { note: `Pipeline #${a.iid ?? a.id} passed.`, url });
          return { summary: `pipeline ${a.id} passed on ${a.ref}` };
        }
        return ctx.ignore(`pipeline status "${a.status}"`);
      },
    },
  },
});
