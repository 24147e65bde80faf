/**
 * Grafana Alerting (webhook contact point): every alert is an incident ticket deduplicated by its
 * organisation and fingerprint (two organisations can share a fingerprint, e.g. the same provisioned
 * rule); resolved alerts recover it. Authenticated the ways the contact point can be set up:
 * the Authorization header (Bearer <secret>), basic auth with the secret as password, or HMAC
 * signing (X-Grafana-Alerting-Signature: hex HMAC-SHA256 of "<timestamp>:<body>" or of the body).
 */
import {
  basicAuthPassword,
  bearerToken,
  definePlugin,
  keyOrOpenLegacy,
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
  dashboardURL: Type.Optional(Type.String()),
  panelURL: Type.Optional(Type.String()),
  valueString: Type.Optional(Type.String()),
});
const Notification = Type.Object({
  receiver: Type.Optional(Type.String()),
  status: Type.Enum(['firing', 'resolved']),
  orgId: Type.Optional(Type.Integer()),
  alerts: Type.Array(Alert),
});

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  error: 'high',
  warning: 'medium',
  medium: 'medium',
  info: 'low',
  low: 'low',
};

export default definePlugin({
  id: 'grafana',
  name: 'Grafana Alerting',
  version: '1.1.0',
  apiVersion: 1,
  description:
    'Firing Grafana alerts become incident tickets (one per fingerprint); resolved alerts recover them.',
  configSchema: Type.Object(
    {
      ...ticketConfigFields({
        rules: [{ when: { severity: ['low'] }, stream: 'maintenance', lane: 'standard', position: 'bottom' }],
        fallback: { stream: 'maintenance', lane: 'expedite', position: 'top' },
      }),
      auth: Type.Enum(['authorization', 'hmac'], {
        default: 'authorization',
        description:
          'authorization: Bearer or basic auth with the secret; hmac: the contact point signs with the secret',
      }),
      signatureHeader: Type.String({ minLength: 1, default: 'X-Grafana-Alerting-Signature' }),
      timestampHeader: Type.Optional(
        Type.String({ minLength: 1, description: 'set when the contact point sends one' }),
      ),
      maxSkewSeconds: Type.Integer({
        minimum: 10,
        default: 300,
        description: 'oldest signed timestamp accepted',
      }),
      severityLabel: Type.String({ minLength: 1, default: 'severity' }),
      serviceLabel: Type.String({ minLength: 1, default: 'service' }),
      defaultSeverity: { ...SeveritySchema, default: 'high' },
    },
    { additionalProperties: false },
  ),
  webhooks: {
    alerts: {
      description: 'Contact point of type Webhook, URL = the inbound URL',
      verify(req, ctx) {
        const c = ctx.config;
        if (c.auth === 'hmac') {
          const signature = req.headers[c.signatureHeader.toLowerCase()];
          if (!signature) return `missing ${c.signatureHeader} header`;
          let signed: Uint8Array | string = req.rawBody;
          if (c.timestampHeader) {
            const ts = req.headers[c.timestampHeader.toLowerCase()];
            if (!ts || !/^\d+$/.test(ts)) return `missing ${c.timestampHeader} header`;
            if (Math.abs(Date.now() / 1000 - Number(ts)) > c.maxSkewSeconds)
              return 'the signed timestamp is too old';
            signed = `${ts}:${new TextDecoder().decode(req.rawBody)}`;
          }
          return (
            ctx.safeEqual(signature.toLowerCase(), ctx.hmacSha256(signed)) ||
            `${c.signatureHeader} does not match`
          );
        }
        const presented = bearerToken(req) ?? basicAuthPassword(req);
        if (!presented) return 'missing Authorization header';
        return ctx.safeEqual(presented, ctx.secret) || 'the credentials do not match';
      },
      payloadSchema: Notification,
      async handle(n, ctx) {
        const { severityLabel, serviceLabel, defaultSeverity } = ctx.config;
        const names = { firing: new Set<string>(), resolved: new Set<string>() };
        for (const a of n.alerts) {
          const name = a.labels.alertname ?? 'Grafana alert';
          names[a.status].add(name);
          const url = a.panelURL || a.dashboardURL || a.generatorURL || undefined;
          // The alert's identity, also what the recurring-incident rule groups by.
          const fingerprint = n.orgId === undefined ? a.fingerprint : `${n.orgId}:${a.fingerprint}`;
          // 1.0 keyed on the fingerprint alone; a ticket still open under it keeps being used.
          const dedupKey = await keyOrOpenLegacy(ctx.tickets, fingerprint, a.fingerprint);
          if (a.status === 'resolved') {
            ctx.tickets.recover(dedupKey, { note: `${name} resolved.`, ...(url ? { url } : {}) });
            continue;
          }
          const service = a.labels[serviceLabel];
          ctx.tickets.raise({
            dedupKey,
            kind: 'incident',
            title: a.annotations.summary ?? name,
            description: [
              a.annotations.description,
              a.valueString ? `Values: ${a.valueString}` : '',
              a.generatorURL,
            ]
              .filter(Boolean)
              .join('\n'),
            ...(url ? { url } : {}),
            severity: SEVERITY_WORDS[(a.labels[severityLabel] ?? '').toLowerCase()] ?? defaultSeverity,
            labels: ['alert', 'grafana'],
            occurrenceId: `${a.fingerprint}:${a.startsAt}`,
            occurredAt: new Date(a.startsAt).toISOString(),
            fingerprint,
            ...(service ? { service } : {}),
          });
        }
        const org = n.orgId === undefined ? '' : ` (org ${n.orgId})`;
        const part = (status: 'firing' | 'resolved') =>
          names[status].size > 0 ? [`${status}: ${[...names[status]].join(', ')}`] : [];
        const said = [...part('firing'), ...part('resolved')].join('; ');
        return { summary: said ? `${said}${org}`.slice(0, 300) : `no alerts in the notification${org}` };
      },
    },
  },
});
