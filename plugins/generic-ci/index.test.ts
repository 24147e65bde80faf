import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configWithDefaults, testWebhookContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.runs!;
const config = configWithDefaults(plugin.configSchema);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

describe('generic CI plugin', () => {
  it('raises a failed run per pipeline and branch, and recovers a succeeded one', async () => {
    const ctx = testWebhookContext(config);
    await webhook.handle(fixture('failed'), ctx);
    await webhook.handle(fixture('succeeded'), ctx);
    expect(ctx.actions).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: 'mobile-app/release:main',
          title: 'Release build failed: signing step',
          severity: 'high',
          occurrenceId: '5521',
          onDefaultBranch: true,
        }),
      },
      expect.objectContaining({ op: 'recover', ref: 'mobile-app/release:main' }),
    ]);
  });

  it('takes its delivery id from Idempotency-Key, else pipeline, run and status', () => {
    const req = { headers: {}, query: {}, rawBody: Buffer.from(''), contentType: 'application/json' };
    expect(webhook.deliveryId!(req, fixture('failed'))).toBe('mobile-app/release:5521:failed');
    expect(webhook.deliveryId!({ ...req, headers: { 'idempotency-key': 'abc' } }, fixture('failed'))).toBe(
      'abc',
    );
  });
});
