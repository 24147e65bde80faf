import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../protocol/plugin.ts';
import { configWithDefaults, testWebhookContext, verifyContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.events!;
const config = configWithDefaults(plugin.configSchema);
const raw = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const v1 = (secret: string, body: Buffer) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
const request = (body: Buffer, signature?: string): InboundRequest => ({
  headers: signature ? { 'x-pagerduty-signature': signature } : {},
  query: {},
  rawBody: body,
  contentType: 'application/json',
});

async function actionsFor(name: string) {
  const ctx = testWebhookContext(config);
  await webhook.handle(JSON.parse(raw(name).toString()), ctx);
  return ctx.actions;
}

describe('PagerDuty plugin', () => {
  it('verifies X-PagerDuty-Signature, any of several v1 signatures', () => {
    const body = raw('incident.triggered');
    const ctx = verifyContext('pd-secret', config);
    expect(webhook.verify(request(body, v1('pd-secret', body)), ctx)).toBe(true);
    expect(webhook.verify(request(body, `${v1('old', body)},${v1('pd-secret', body)}`), ctx)).toBe(true);
    expect(webhook.verify(request(body, v1('old', body)), ctx)).toMatch(/does not match/);
    expect(webhook.verify(request(body), ctx)).toMatch(/missing/);
  });

  it('uses the event id as delivery id', () => {
    const payload = JSON.parse(raw('incident.triggered').toString());
    expect(webhook.deliveryId!(request(Buffer.from('')), payload)).toBe('01F2A9ZK3M7QX8B4C6D0E1G5HJ');
  });

  it('raises on triggered with the priority as severity, comments on acknowledged, recovers on resolved', async () => {
    expect(await actionsFor('incident.triggered')).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: 'Q2WERT9ZX7PLKN',
          kind: 'incident',
          severity: 'critical',
          service: 'checkout',
          fingerprint: '3d9a6f0b2c41487e9b5d1f7a8c2e6b04',
          url: 'https://acme.pagerduty.com/incidents/Q2WERT9ZX7PLKN',
        }),
      },
    ]);
    expect(await actionsFor('incident.acknowledged')).toEqual([
      { op: 'comment', ref: 'Q2WERT9ZX7PLKN', body: 'Acknowledged in PagerDuty by Sam Okafor.' },
    ]);
    expect(await actionsFor('incident.resolved')).toEqual([
      expect.objectContaining({ op: 'recover', ref: 'Q2WERT9ZX7PLKN' }),
    ]);
  });

  it('says in the delivery log what each event was about', async () => {
    const summaryOf = async (name: string) =>
      webhook.handle(JSON.parse(raw(name).toString()), testWebhookContext(config));
    expect(await summaryOf('incident.triggered')).toEqual({
      summary: 'triggered: #4821 Checkout latency p99 over 2 s (checkout)',
    });
    expect(await summaryOf('incident.resolved')).toEqual({
      summary: expect.stringMatching(/^resolved: #4821 /),
    });
  });
});
