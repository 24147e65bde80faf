/**
 * Generic deployment: any pipeline that can POST a small JSON document (format in README.md and
 * docs/plugins.md) reports a deployment or check run on the release it names by version, tag or
 * commit. Authenticated as the generic CI format is: `X-Blendboard-Signature: sha256=<HMAC-SHA256
 * of the body>`, or `Authorization: Bearer <secret>`.
 */
import { definePlugin, releaseConfigFields, Type, verifyBearerOrSignature } from '../../protocol/plugin.ts';

export const GenericDeployment = Type.Object(
  {
    version: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    commit: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{7,64}$' })),
    environment: Type.String({ minLength: 1, maxLength: 100 }),
    status: Type.Enum(['success', 'failure', 'pending', 'running', 'cancelled']),
    runId: Type.String({ minLength: 1, maxLength: 150 }),
    kind: Type.Optional(Type.Enum(['deployment', 'check'])),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    /** where the deployed environment answers (for the production shadow: its hidden URL) */
    environmentUrl: Type.Optional(
      Type.String({ maxLength: 2000, pattern: '^[hH][tT][tT][pP][sS]?://\\S+$' }),
    ),
  },
  { additionalProperties: false },
);

export default definePlugin({
  id: 'generic-deployment',
  name: 'Generic deployment',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Deployments and checks from any pipeline that can POST JSON (see docs/plugins.md).',
  configSchema: Type.Object({ ...releaseConfigFields() }, { additionalProperties: false }),
  webhooks: {
    deployments: {
      description: 'POST one deployment or check result as JSON',
      verify: verifyBearerOrSignature,
      payloadSchema: GenericDeployment,
      deliveryId: (req, d) =>
        req.headers['idempotency-key'] ?? `${d.runId}:${d.kind ?? 'deployment'}:${d.environment}:${d.status}`,
      handle(d, ctx) {
        const kind = d.kind ?? 'deployment';
        if (d.status !== 'success' && d.status !== 'failure')
          return ctx.ignore(`${kind} ${d.runId} is ${d.status}: not an outcome`);
        if (!d.version && !d.tag && !d.commit)
          return ctx.ignore(`${kind} ${d.runId} names no release: send version, tag or commit`);
        ctx.releases.report({
          match: {
            ...(d.version ? { version: d.version } : {}),
            ...(d.tag ? { tag: d.tag } : {}),
            ...(d.commit ? { commit: d.commit } : {}),
          },
          environment: d.environment,
          runId: d.runId,
          kind,
          outcome: d.status,
          ...(d.url ? { url: d.url } : {}),
          ...(d.environmentUrl && d.status === 'success' ? { environmentUrl: d.environmentUrl } : {}),
        });
      },
    },
  },
});
