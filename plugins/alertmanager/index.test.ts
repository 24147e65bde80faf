import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../protocol/plugin.ts';
import { configWithDefaults, testWebhookContext, verifyContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.alerts!;
const config = configWithDefaults(plugin.configSchema);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
const request = (authorization?: string): InboundRequest => ({
  headers: authorization ? { authorization } : {},
  query: {},
  rawBody: Buffer.from('{}'),
  contentType: 'application/json',
});

describe('Alertmanager plugin', () => {
  it('accepts the bearer credentials or basic auth with the secret as password', () => {
    const ctx = verifyContext('am-secret', config);
    expect(webhook.verify(request('Bearer am-secret'), ctx)).toBe(true);
    expect(
      webhook.verify(request(`Basic ${Buffer.from('alertmanager:am-secret').toString('base64')}`), ctx),
    ).toBe(true);
    expect(webhook.verify(request('Bearer nope'), ctx)).toMatch(/do not match/);
    expect(webhook.verify(request(), ctx)).toMatch(/missing Authorization/);
  });

  it('accepts only webhook payload version 4', () => {
    expect(Value.Check(webhook.payloadSchema!, fixture('firing'))).toBe(true);
    expect(Value.Check(webhook.payloadSchema!, { ...fixture('firing'), version: '3' })).toBe(false);
  });

  it('raises one incident per alert, keyed by fingerprint and counted once per firing', async () => {
    const ctx = testWebhookContext(config);
    await webhook.handle(fixture('firing'), ctx);
    expect(ctx.actions).toHaveLength(2);
    expect(ctx.actions[0]).toMatchObject({
      op: 'raise',
      ticket: {
        dedupKey: '6e4b1c0f9a2d73e5',
        kind: 'incident',
        title: '5xx rate above 5% on payments-api-0',
        severity: 'critical',
        occurrenceId: '6e4b1c0f9a2d73e5:2026-11-21T14:02:37.521Z',
        fingerprint: '6e4b1c0f9a2d73e5',
        service: 'payments-api',
        environment: 'prod',
      },
    });
  });

  it('recovers the alerts that resolved', async () => {
    const ctx = testWebhookContext(config);
    await webhook.handle(fixture('resolved'), ctx);
    expect(ctx.actions).toEqual([expect.objectContaining({ op: 'recover', ref: '6e4b1c0f9a2d73e5' })]);
  });

  it('maps warning-level alerts to medium and uses the configured labels', async () => {
    const cfg = configWithDefaults(plugin.configSchema, { severityLabel: 'level', serviceLabel: 'app' });
    const n = fixture('firing');
    n.alerts = [{ ...n.alerts[0], labels: { alertname: 'Slow', level: 'warning', app: 'search' } }];
    const ctx = testWebhookContext(cfg);
    await webhook.handle(n, ctx);
    expect(ctx.actions[0]).toMatchObject({ ticket: { severity: 'medium', service: 'search' } });
  });
});
