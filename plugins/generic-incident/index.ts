/**
 * Generic incidents: any monitoring or ITSM tool that can POST a small JSON document (format in
 * docs/plugins.md). `triggered` raises an incident ticket per incident id, `acknowledged` comments,
 * `resolved` recovers it. Bearer token or X-Blendboard-Signature.
 */
import {
  definePlugin,
  SeveritySchema,
  Type,
  ticketConfigFields,
  verifyBearerOrSignature,
} from '../../protocol/plugin.ts';

export const GenericIncidentPayload = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: 'the incident id in your tool' }),
  status: Type.Enum(['triggered', 'acknowledged', 'resolved']),
  title: Type.String({ minLength: 1, maxLength: 300 }),
  service: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  severity: Type.Optional(SeveritySchema),
  fingerprint: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  note: Type.Optional(Type.String({ maxLength: 5000 })),
  environment: Type.Optional(Type.String({ maxLength: 100 })),
  occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export default definePlugin({
  id: 'generic-incident',
  name: 'Generic incidents',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Incidents from any tool that can POST JSON (see docs/plugins.md).',
  configSchema: Type.Object(
    {
      ...ticketConfigFields({
        rules: [{ when: { severity: ['low'] }, stream: 'maintenance', lane: 'standard', position: 'bottom' }],
        fallback: { stream: 'maintenance', lane: 'expedite', position: 'top' },
      }),
      defaultSeverity: { ...SeveritySchema, default: 'high' },
    },
    { additionalProperties: false },
  ),
  webhooks: {
    incidents: {
      description: 'POST one incident state change as JSON',
      verify: verifyBearerOrSignature,
      payloadSchema: GenericIncidentPayload,
      deliveryId: (req, i) => {
        return (
          req.headers['idempotency-key'] ?? (i.occurredAt ? `${i.id}:${i.status}:${i.occurredAt}` : undefined)
        );
      },
      handle(i, ctx) {
        switch (i.status) {
          case 'triggered':
            ctx.tickets.raise({
              dedupKey: i.id,
              kind: 'incident',
              title: i.title,
              description: [i.description, i.url].filter(Boolean).join('\n'),
              ...(i.url ? { url: i.url } : {}),
              severity: i.severity ?? ctx.config.defaultSeverity,
              labels: ['incident'],
              ...(i.occurredAt ? { occurrenceId: `${i.id}:${i.occurredAt}`, occurredAt: i.occurredAt } : {}),
              ...(i.fingerprint ? { fingerprint: i.fingerprint } : {}),
              ...(i.service ? { service: i.service } : {}),
              ...(i.environment ? { environment: i.environment } : {}),
            });
            return;
          case 'acknowledged':
            ctx.tickets.comment(i.id, `Acknowledged${i.note ? `: ${i.note}` : '.'}`);
            return;
          case 'resolved':
            ctx.tickets.recover(i.id, {
              ...(i.note ? { note: i.note } : {}),
              ...(i.url ? { url: i.url } : {}),
            });
            return;
        }
      },
    },
  },
});
