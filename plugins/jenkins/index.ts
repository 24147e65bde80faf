/**
 * Jenkins: the Notification plugin's JSON. A failed build becomes a defect ticket per job and
 * branch; a successful one recovers it. A build is acted on at COMPLETED and at FINALIZED, whichever
 * the endpoint is set to send, and counted once when both arrive. The Notification plugin cannot sign requests, so the
 * endpoint URL carries the secret: /hooks/<installation>?token=<secret>.
 */
import { definePlugin, SeveritySchema, Type, ticketConfigFields } from '../../protocol/plugin.ts';

const configSchema = Type.Object(
  {
    ...ticketConfigFields({
      rules: [{ when: { branch: 'default' }, stream: 'development', lane: 'standard', position: 'top' }],
      fallback: { stream: 'development', lane: 'standard', position: 'bottom' },
    }),
    // 1.0 acted on this phase only, so an endpoint sending "Job Completed" alone raised nothing.
    // Kept so that configs stored by 1.0 stay valid.
    phase: Type.Optional(
      Type.Enum(['COMPLETED', 'FINALIZED'], {
        description: 'no longer used: COMPLETED and FINALIZED are both acted on, a build counted once',
      }),
    ),
    failOn: Type.Array(Type.Enum(['FAILURE', 'UNSTABLE', 'ABORTED', 'NOT_BUILT']), { default: ['FAILURE'] }),
    defaultBranches: Type.Array(Type.String({ minLength: 1 }), {
      default: ['main', 'master'],
      description: 'branches treated as the default branch for routing',
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

/** The Notification plugin's JSON, the fields read here (it sends more). */
const payloadSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  display_name: Type.Optional(Type.String()),
  build: Type.Object({
    number: Type.Integer(),
    phase: Type.String(),
    status: Type.Optional(Type.String()),
    full_url: Type.Optional(Type.String()),
    scm: Type.Optional(
      Type.Object({
        branch: Type.Optional(Type.String()),
        commit: Type.Optional(Type.String()),
        culprits: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  }),
});

export default definePlugin({
  id: 'jenkins',
  name: 'Jenkins',
  version: '1.1.0',
  apiVersion: 1,
  description:
    'Failed builds (Notification plugin, JSON over HTTP) become defect tickets; a successful build recovers them.',
  configSchema,
  webhooks: {
    notification: {
      description: 'Notification plugin endpoint: format JSON, protocol HTTP, URL with ?token=<secret>',
      verify(req, ctx) {
        const token = req.query.token;
        if (!token) return 'missing ?token= in the URL';
        return ctx.safeEqual(token, ctx.secret) || 'the token in the URL does not match';
      },
      payloadSchema,
      deliveryId: (_req, n) => `${n.name}#${n.build.number}:${n.build.phase}`,
      async handle(n, ctx) {
        const b = n.build;
        if (b.phase !== 'COMPLETED' && b.phase !== 'FINALIZED') return ctx.ignore(`phase ${b.phase}`);
        const branch = (b.scm?.branch ?? '').replace(/^(origin|refs\/heads)\//, '');
        const dedupKey = `${n.name}:${branch}`;
        const onDefaultBranch = ctx.config.defaultBranches.includes(branch);
        const where = branch ? ` on ${branch}` : '';
        if (b.status && (ctx.config.failOn as string[]).includes(b.status)) {
          ctx.tickets.raise({
            dedupKey,
            kind: 'ci_failure',
            title: `${n.display_name ?? n.name} ${b.status.toLowerCase()}${where}`,
            description:
              `Build #${b.number} of ${n.name} finished ${b.status}` +
              (b.scm?.commit ? ` at ${b.scm.commit.slice(0, 8)}` : '') +
              (b.scm?.culprits?.length ? `; changes by ${b.scm.culprits.join(', ')}` : '') +
              `.\n${b.full_url ?? ''}`,
            ...(b.full_url ? { url: b.full_url } : {}),
            severity: onDefaultBranch ? ctx.config.severity.defaultBranch : ctx.config.severity.otherBranches,
            labels: ['ci', 'jenkins'],
            // the same for both phases: a build is one occurrence
            occurrenceId: `${n.name}#${b.number}`,
            ...(branch ? { branch } : {}),
            onDefaultBranch,
          });
          return { summary: `${n.name} #${b.number} ${b.status}` };
        }
        if (b.status === 'SUCCESS') {
          // COMPLETED and FINALIZED of one green build (or the next green build) recover once.
          if ((await ctx.tickets.find(dedupKey))?.status === 'recovered')
            return ctx.ignore(`${n.name} #${b.number} succeeded; the ticket is already recovered`);
          ctx.tickets.recover(dedupKey, {
            note: `Build #${b.number} succeeded.`,
            ...(b.full_url ? { url: b.full_url } : {}),
          });
          return { summary: `${n.name} #${b.number} succeeded` };
        }
        return ctx.ignore(`build status ${b.status ?? 'unknown'}`);
      },
    },
  },
});
