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

const webhook = plugin.webhooks!.events!;
const config = configWithDefaults(plugin.configSchema);
const text = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
const event = { 'x-github-event': 'deployment_status' };

async function handle(name: string, headers: Record<string, string> = event) {
  const ctx = testWebhookContext(config, { headers });
  await webhook.handle(parsePayload(webhook, inboundRequest(text(name), headers)), ctx);
  return ctx;
}

describe('GitHub deployments plugin', () => {
  it('reports a failed deployment status on the release named by tag and commit', async () => {
    const ctx = await handle('deployment_status.failure');
    expect(ctx.releaseReports).toEqual([
      {
        match: { tag: 'v2.4.0', commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' },
        environment: 'staging',
        runId: 'github:1459887461:2099162542',
        kind: 'deployment',
        outcome: 'failure',
        url: 'https://github.com/acme/payments-api/actions/runs/7702154521/job/21002',
      },
    ]);
  });

  it('reports a success with the environment URL and a version from the deployment payload', async () => {
    const ctx = await handle('deployment_status.production.success');
    expect(ctx.releaseReports).toEqual([
      expect.objectContaining({
        match: expect.objectContaining({ version: '2.4.0', tag: 'v2.4.0' }),
        environment: 'production',
        outcome: 'success',
        // the run's page is its log; where the deployment answers is the environment URL
        url: 'https://github.com/acme/payments-api/actions/runs/7702154521/job/21002',
        environmentUrl: 'https://shadow.payments.acme.example',
      }),
    ]);
  });

  it('ignores in-progress statuses and other events', async () => {
    const running = await handle('deployment_status.in_progress');
    expect(running.releaseReports).toEqual([]);
    expect(running.actions).toEqual([{ op: 'ignore', reason: expect.stringMatching(/in_progress/) }]);
    const ping = await handle('deployment_status.success', { 'x-github-event': 'ping' });
    expect(ping.releaseReports).toEqual([]);
  });

  it('verifies X-Hub-Signature-256 over the raw body', () => {
    const body = text('deployment_status.success');
    const v = verifyContext('s3cret', config);
    const good = `sha256=${v.hmacSha256(body)}`;
    expect(webhook.verify(inboundRequest(body, { 'x-hub-signature-256': good }), v)).toBe(true);
    expect(webhook.verify(inboundRequest(`${body} `, { 'x-hub-signature-256': good }), v)).toMatch(
      /does not match/,
    );
    expect(webhook.verify(inboundRequest(body), v)).toMatch(/missing/);
  });

  it('maps staging and production to the default path by default', () => {
    expect(config.environments).toEqual({ staging: 'pre-production', production: 'production-shadow' });
  });
});
