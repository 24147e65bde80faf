/**
 * Prometheus Alertmanager (webhook_config, payload version 4): every alert in a notification is its
 * own incident ticket, deduplicated by the alert's fingerprint; a resolved alert recovers it. A
 * re-sent notification for the same firing (same fingerprint and start) is counted once.
 * Authenticated with `http_config.authorization` (Bearer <secret>) or basic auth with the secret as
 * password.
 */
import {
  basicAuthPassword,
  bearerToken,
  definePlugin,
  type Severity,
  SeveritySchema,
  Type,
  ticketConfigFields,
} from '../../protocol/plugin.ts';

const Alert = Type.Object({
  status: Type.Enum(['firing', 'resolved']),
  labels: Type.Record(Type.String(), Type.String()),
  annotations: Type.Record(Type.String(), Type.String()),
  startsAt: Type.String(),
  endsAt: Type.Optional(Type.String()),
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.String({ minLength: 1 }),
});
const Notification = Type.Object({
  version: Type.Literal('4'),
  status: Type.Enum(['firing', 'resolved']),
  receiver: Type.Optional(Type.String()),
  externalURL: Type.Optional(Type.String()),
  alerts: Type.Array(Alert),
});

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  page: 'critical',
  disaster: 'critical',
  high: 'high',
  error: 'high',
  major: 'high',
  warning: 'medium',
  warn: 'medium',
  minor: 'medium',
  medium: 'medium',
  info: 'low',
  low: 'low',
  none: 'low',
};

export default definePlugin({
  id: 'alertmanager',
  name: 'Prometheus Alertmanager',
  version: '1.0.0',
  apiVersion: 1,
  description: 'Firing alerts become incident tickets (one per fingerprint); resolved alerts recover them.',
  configSchema: Type.Object(
    {
      ...ticketConfigFields({
        rules: [{ when: { severity: ['low'] }, stream: 'maintenance', lane: 'standard', position: 'bottom' }],
        fallback: { stream: 'maintenance', lane: 'expedite', position: 'top' },
      }),
      severityLabel: Type.String({ minLength: 1, default: 'severity' }),
      serviceLabel: Type.String({
        minLength: 1,
        default: 'service',
        description: 'falls back to the job label',
      }),
      defaultSeverity: { ...SeveritySchema, default: 'high' },
    },
    { additionalProperties: false },
  ),
  webhooks: {
    alerts: {
      description:
        'receivers: - name: blendboard, webhook_configs: - url: <inbound URL>, http_config.authorization.credentials: <secret>',
      verify(req, ctx) {
        const presented = bearerToken(req) ?? basicAuthPassword(req);
        if (!presented) return 'missing Authorization header (http_config.authorization or basic_auth)';
        return ctx.safeEqual(presented, ctx.secret) || 'the credentials do not match';
      },
      payloadSchema: Notification,
      handle(n, ctx) {
        const { severityLabel, serviceLabel, defaultSeverity } = ctx.config;
        let firing = 0;
        let resolved = 0;
        for (const a of n.alerts) {
          const name = a.labels.alertname ?? 'alert';
          if (a.status === 'resolved') {
            ctx.tickets.recover(a.fingerprint, {
              note: `${name} resolved${a.endsAt ? ` at ${a.endsAt}` : ''}.`,
              ...(a.generatorURL ? { url: a.generatorURL } : {}),
            });
            resolved++;
            continue;
          }
          const where = a.labels.instance ?? a.labels.job;
          const runbook = a.annotations.runbook_url;
          const service = a.labels[serviceLabel] ?? a.labels.job;
          const environment = a.labels.env ?? a.labels.environment;
          ctx.tickets.raise({
            dedupKey: a.fingerprint,
            kind: 'incident',
            title: a.annotations.summary ?? `${name}${where ? ` on ${where}` : ''}`,
            description: [
              a.annotations.description,
              runbook ? `Runbook: ${runbook}` : '',
              `Labels: ${Object.entries(a.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}`,
            ]
              .filter(Boolean)
              .join('\n'),
            ...(a.generatorURL ? { url: a.generatorURL } : {}),
            severity: SEVERITY_WORDS[(a.labels[severityLabel] ?? '').toLowerCase()] ?? defaultSeverity,
            labels: ['alert', name.slice(0, 40)],
            occurrenceId: `${a.fingerprint}:${a.startsAt}`,
            occurredAt: new Date(a.startsAt).toISOString(),
            fingerprint: a.fingerprint,
            ...(service ? { service } : {}),
            ...(environment ? { environment } : {}),
          });
          firing++;
        }
        return { summary: `${firing} firing, ${resolved} resolved` };
      },
    },
  },
});
