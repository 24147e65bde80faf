import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  configWithDefaults,
  inboundRequest,
  parsePayload,
  testWebhookContext,
  verifyContext,
} from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.deployments!;
const config = configWithDefaults(plugin.configSchema);
/** Exactly the bytes the README's Jenkinsfile step writes (JsonOutput.toJson) and signs. */
const text = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');

async function handle(body: string) {
  const ctx = testWebhookContext(config);
  await webhook.handle(parsePayload(webhook, inboundRequest(body)), ctx);
  return ctx;
}

describe('Jenkins deployments plugin', () => {
  it('reports the post { failure } body on the release by version and commit', async () => {
    const ctx = await handle(text('post.failure'));
    expect(ctx.releaseReports).toEqual([
      {
        match: { version: '2.4.0', commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' },
        environment: 'pre-production',
        runId: 'jenkins:payments-api/main#412',
        kind: 'deployment',
        outcome: 'failure',
        url: 'https://jenkins.example.com/job/payments-api/job/main/412/',
      },
    ]);
  });

  it('takes currentBuild.currentResult values and nulls for unset variables', async () => {
    const body = { ...JSON.parse(text('post.success')), status: 'UNSTABLE', commit: null, kind: 'check' };
    const ctx = await handle(JSON.stringify(body));
    expect(ctx.releaseReports).toEqual([
      expect.objectContaining({ match: { version: '2.4.0' }, kind: 'check', outcome: 'failure' }),
    ]);
    const aborted = await handle(JSON.stringify({ ...body, status: 'ABORTED' }));
    expect(aborted.releaseReports).toEqual([]);
  });

  it('checks X-Blendboard-Signature over the raw body, and names its delivery by job, build and status', () => {
    const body = text('post.failure');
    const v = verifyContext('jenkins-secret', config);
    const sig = { 'x-blendboard-signature': `sha256=${v.hmacSha256(body)}` };
    expect(webhook.verify(inboundRequest(body, sig), v)).toBe(true);
    expect(webhook.verify(inboundRequest(body.replace('412', '411'), sig), v)).toMatch(/does not match/);
    expect(webhook.deliveryId!(inboundRequest(body), parsePayload(webhook, inboundRequest(body)))).toBe(
      'payments-api/main#412:pre-production:failure',
    );
  });
});
