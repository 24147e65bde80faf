/**
 * Generic CI: any pipeline that can POST a small JSON document (format in README.md). A failed run
 * becomes a defect ticket per pipeline and branch; a succeeded run recovers it. Authenticated with
 * `Authorization: Bearer <secret>` or an `X-Blendboard-Signature: sha256=<HMAC of the body>` header.
 */
import {
  definePlugin,
  SeveritySchema,
  Type,
  ticketConfigFields,
  verifyBearerOrSignature,
} from '../../protocol/plugin.ts';

export const GenericCiPayload = Type.Object({
  pipeline: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Enum(['failed', 'succeeded', 'running', 'cancelled']),
  branch: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  defaultBranch: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  runId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  commit: Type.Optional(Type.String({ maxLength: 100 })),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  message: Type.Optional(Type.String({ maxLength: 10_000 })),
  severity: Type.Optional(SeveritySchema),
  occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
  /** the version of the release this run builds: a failure's ticket joins that release while it is on its way */
  release: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
});

export default definePlugin({
  id: 'generic-ci',
  name: 'Generic CI',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Pipeline failures from any CI that can POST JSON (see docs/plugins.md).',
  configSchema: Type.Object(
    {
      ...ticketConfigFields({
        rules: [{ when: { branch: 'default' }, stream: 'development', lane: 'standard', position: 'top' }],
        fallback: { stream: 'development', lane: 'standard', position: 'bottom' },
      }),
      defaultSeverity: { ...SeveritySchema, default: 'medium' },
    },
    { additionalProperties: false },
  ),
  webhooks: {
    runs: {
      description: 'POST one run result as JSON',
      verify: verifyBearerOrSignature,
      payloadSchema: GenericCiPayload,
      deliveryId: (req, r) => {
        return (
          req.headers['idempotency-key'] ?? (r.runId ? `${r.pipeline}:${r.runId}:${r.status}` : undefined)
        );
      },
      handle(r, ctx) {
        const branch = r.branch ?? '';
        const dedupKey = `${r.pipeline}:${branch}`;
        const where = branch ? ` on ${branch}` : '';
        if (r.status === 'failed') {
          ctx.tickets.raise({
            dedupKey,
            kind: 'ci_failure',
            title: r.title ?? `${r.pipeline} failing${where}`,
            description: [r.message, r.commit ? `Commit ${r.commit}` : '', r.url].filter(Boolean).join('\n'),
            ...(r.url ? { url: r.url } : {}),
            severity: r.severity ?? ctx.config.defaultSeverity,
            labels: ['ci'],
            ...(r.runId ? { occurrenceId: r.runId } : {}),
            ...(r.occurredAt ? { occurredAt: r.occurredAt } : {}),
            ...(branch ? { branch } : {}),
            onDefaultBranch: r.defaultBranch !== undefined && branch === r.defaultBranch,
            ...(r.release ? { release: { version: r.release } } : {}),
          });
          return;
        }
        if (r.status === 'succeeded') {
          ctx.tickets.recover(dedupKey, {
            note: `${r.pipeline}${r.runId ? ` run ${r.runId}` : ''} succeeded.`,
            ...(r.url ? { url: r.url } : {}),
          });
          return;
        }
        return ctx.ignore(`status ${r.status}`);
      },
    },
  },
});
