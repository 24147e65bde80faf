import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundRequest, TicketView } from '../../protocol/plugin.ts';
import { configWithDefaults, testWebhookContext, verifyContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.alerts!;
const raw = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const request = (body: Buffer, headers: Record<string, string>): InboundRequest => ({
  headers,
  query: {},
  rawBody: body,
  contentType: 'application/json',
});

describe('Grafana plugin', () => {
  it('verifies HMAC signatures with and without a timestamp', () => {
    const body = raw('firing');
    const plain = configWithDefaults(plugin.configSchema, { auth: 'hmac' });
    const hex = createHmac('sha256', 'gf').update(body).digest('hex');
    expect(
      webhook.verify(request(body, { 'x-grafana-alerting-signature': hex }), verifyContext('gf', plain)),
    ).toBe(true);

    const stamped = configWithDefaults(plugin.configSchema, { auth: 'hmac', timestampHeader: 'X-Ts' });
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', 'gf').update(`${ts}:${body}`).digest('hex');
    const ctx = verifyContext('gf', stamped);
    expect(webhook.verify(request(body, { 'x-grafana-alerting-signature': sig, 'x-ts': ts }), ctx)).toBe(
      true,
    );
    expect(webhook.verify(request(body, { 'x-grafana-alerting-signature': hex, 'x-ts': ts }), ctx)).toMatch(
      /does not match/,
    );
    expect(webhook.verify(request(body, { 'x-grafana-alerting-signature': sig }), ctx)).toMatch(
      /missing X-Ts/,
    );
  });

  it('raises firing alerts with a link to the panel and recovers resolved ones', async () => {
    const config = configWithDefaults(plugin.configSchema);
    const ctx = testWebhookContext(config);
    expect(await webhook.handle(JSON.parse(raw('firing').toString()), ctx)).toEqual({
      summary: 'firing: Disk almost full (org 1)',
    });
    expect(await webhook.handle(JSON.parse(raw('resolved').toString()), ctx)).toEqual({
      summary: 'resolved: Disk almost full (org 1)',
    });
    expect(ctx.actions).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: '1:4f7c2e91ab06d385',
          fingerprint: '1:4f7c2e91ab06d385',
          title: 'Disk on search-db-2 is 91% full',
          severity: 'medium',
          service: 'search',
          url: 'https://grafana.example/d/st0rage/storage?orgId=1&viewPanel=4',
        }),
      },
      expect.objectContaining({ op: 'recover', ref: '1:4f7c2e91ab06d385' }),
    ]);
  });

  it('keeps the same fingerprint in two organisations apart', async () => {
    const config = configWithDefaults(plugin.configSchema);
    const ctx = testWebhookContext(config);
    await webhook.handle(JSON.parse(raw('firing').toString()), ctx);
    await webhook.handle(JSON.parse(raw('firing.org2').toString()), ctx);
    expect(ctx.actions.map((a) => (a as { ticket: { dedupKey: string } }).ticket.dedupKey)).toEqual([
      '1:4f7c2e91ab06d385',
      '2:4f7c2e91ab06d385',
    ]);
  });

  it('keeps counting and recovering a ticket still open under the 1.0 key (the fingerprint alone)', async () => {
    const config = configWithDefaults(plugin.configSchema);
    const open = (resolved: boolean) => async (key: string) =>
      key === '4f7c2e91ab06d385' ? ({ resolved } as TicketView) : null;
    const ctx = testWebhookContext(config, { find: open(false) });
    await webhook.handle(JSON.parse(raw('resolved').toString()), ctx);
    expect(ctx.actions).toEqual([expect.objectContaining({ op: 'recover', ref: '4f7c2e91ab06d385' })]);
    const later = testWebhookContext(config, { find: open(true) });
    await webhook.handle(JSON.parse(raw('firing').toString()), later);
    expect(later.actions).toEqual([
      expect.objectContaining({ ticket: expect.objectContaining({ dedupKey: '1:4f7c2e91ab06d385' }) }),
    ]);
  });
});
