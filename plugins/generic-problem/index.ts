/**
 * Problems: problem records from any ITSM tool as JSON (format in docs/plugins.md), kept as
 * known-error records (root cause, workaround) and linked to their incidents. Its installation also
 * switches on the board's recurring-incident rule: when incidents with the same fingerprint or on the
 * same service recur `threshold` times within `windowMinutes`, the host raises one problem ticket
 * for them (server/domain/recurring-incidents.ts) in this plugin's name.
 */
import {
  definePlugin,
  SeveritySchema,
  Type,
  ticketConfigFields,
  verifyBearerOrSignature,
} from '../../protocol/plugin.ts';

export const GenericProblemPayload = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: 'the problem id in your tool' }),
  status: Type.Enum(['open', 'known_error', 'resolved']),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  service: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  severity: Type.Optional(SeveritySchema),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  rootCause: Type.Optional(Type.String({ maxLength: 5000 })),
  workaround: Type.Optional(Type.String({ maxLength: 5000 })),
  note: Type.Optional(Type.String({ maxLength: 5000 })),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  incidents: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      maxItems: 100,
      description: 'ids of incidents raised through the generic incident plugin on this board',
    }),
  ),
});

export default definePlugin({
  id: 'generic-problem',
  name: 'Problems',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Problem records as JSON, plus a rule that raises a problem when incidents recur.',
  configSchema: Type.Object(
    {
      ...ticketConfigFields({ fallback: { stream: 'maintenance', lane: 'standard', position: 'top' } }),
      recurrence: Type.Object(
        {
          enabled: Type.Boolean({ default: true }),
          threshold: Type.Integer({
            minimum: 2,
            maximum: 1000,
            default: 3,
            description: 'incidents that make a problem',
          }),
          windowMinutes: Type.Integer({ minimum: 1, maximum: 43_200, default: 1440 }),
          matchBy: Type.Array(Type.Enum(['fingerprint', 'service']), {
            minItems: 1,
            uniqueItems: true,
            default: ['fingerprint', 'service'],
            description: 'what makes incidents "the same", checked in this order',
          }),
        },
        { additionalProperties: false, default: {} },
      ),
    },
    { additionalProperties: false },
  ),
  webhooks: {
    problems: {
      description: 'POST one problem record as JSON',
      verify: verifyBearerOrSignature,
      payloadSchema: GenericProblemPayload,
      deliveryId: (req) => req.headers['idempotency-key'],
      async handle(p, ctx) {
        if (p.status === 'resolved') {
          ctx.tickets.recover(p.id, {
            ...(p.note ? { note: p.note } : {}),
            ...(p.url ? { url: p.url } : {}),
          });
          return;
        }
        // A record is one problem, however often it is re-sent: raise it once, reopen it if it was
        // resolved, otherwise only bring its known-error fields up to date.
        const existing = await ctx.tickets.find(p.id);
        if (!existing) {
          ctx.tickets.raise({
            dedupKey: p.id,
            kind: 'problem',
            title: p.title,
            description: [p.description, p.url].filter(Boolean).join('\n'),
            ...(p.url ? { url: p.url } : {}),
            ...(p.severity ? { severity: p.severity } : {}),
            labels: p.status === 'known_error' ? ['problem', 'known-error'] : ['problem'],
            ...(p.service ? { service: p.service } : {}),
          });
        } else if (existing.resolved) {
          ctx.tickets.reopen(p.id, { note: `Reopened in the problem record${p.note ? `: ${p.note}` : '.'}` });
        } else if (p.severity) {
          ctx.tickets.update(p.id, { severity: p.severity });
        }
        if (p.rootCause !== undefined || p.workaround !== undefined) {
          ctx.tickets.update(p.id, {
            knownError: {
              ...(p.rootCause !== undefined ? { rootCause: p.rootCause } : {}),
              ...(p.workaround !== undefined ? { workaround: p.workaround } : {}),
            },
          });
        }
        for (const incident of p.incidents ?? []) {
          ctx.tickets.link(p.id, { plugin: 'generic-incident', dedupKey: incident }, 'problem_for');
        }
      },
    },
  },
});
