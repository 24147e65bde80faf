import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configWithDefaults, type InboundRequest, testWebhookContext } from '../../protocol/plugin.ts';
import { verifyContext } from '../../server/plugin-host/context.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.pipeline!;
const config = configWithDefaults(plugin.configSchema);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
const request = (headers: Record<string, string>): InboundRequest => ({
  headers,
  query: {},
  rawBody: Buffer.from('{}'),
  contentType: 'application/json',
});

async function actionsFor(name: string) {
  const ctx = testWebhookContext(config);
  await webhook.handle(fixture(name), ctx);
  return ctx.actions;
}

describe('GitLab CI plugin', () => {
  it('checks X-Gitlab-Token in constant time', () => {
    const ctx = verifyContext('gl-token', config);
    expect(webhook.verify(request({ 'x-gitlab-token': 'gl-token' }), ctx)).toBe(true);
    expect(webhook.verify(request({ 'x-gitlab-token': 'gl-tokem' }), ctx)).toMatch(/does not match/);
    expect(webhook.verify(request({}), ctx)).toMatch(/missing X-Gitlab-Token/);
  });

  it('uses the Idempotency-Key GitLab keeps across retries as the delivery id', () => {
    expect(webhook.deliveryId!(request({ 'idempotency-key': 'k1', 'x-gitlab-event-uuid': 'u1' }), {})).toBe(
      'k1',
    );
  });

  it('raises a failed pipeline with its failed jobs, recovers a successful one, ignores a running one', async () => {
    const [raise] = await actionsFor('pipeline.failed');
    expect(raise).toMatchObject({
      op: 'raise',
      ticket: { dedupKey: '3314:main', occurrenceId: '771045', onDefaultBranch: true, severity: 'high' },
    });
    expect((raise as { ticket: { description: string } }).ticket.description).toMatch(/test\/unit-tests/);
    expect(await actionsFor('pipeline.success')).toEqual([
      expect.objectContaining({ op: 'recover', ref: '3314:main' }),
    ]);
    expect(await actionsFor('pipeline.running')).toEqual([
      { op: 'ignore', reason: 'pipeline status "running"' },
    ]);
  });
});
