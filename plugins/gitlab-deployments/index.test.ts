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

async function handle(body: string) {
  const ctx = testWebhookContext(config, { headers: { 'x-gitlab-event': 'Deployment Hook' } });
  await webhook.handle(parsePayload(webhook, inboundRequest(body)), ctx);
  return ctx;
}

describe('GitLab deployments plugin', () => {
  it('reports a failed deployment by ref and the full commit from commit_url, linking the job', async () => {
    const ctx = await handle(text('deployment.failed'));
    expect(ctx.releaseReports).toEqual([
      {
        match: { tag: 'v3.1.0', commit: '279484c09fbe69ededfced8c1bb6e6d24616b468' },
        environment: 'staging',
        runId: 'gitlab:30:15',
        kind: 'deployment',
        outcome: 'failure',
        url: 'https://gitlab.example.com/finance/ledger-service/-/jobs/796',
      },
    ]);
  });

  it('reports a success with the environment external URL', async () => {
    const ctx = await handle(text('deployment.success'));
    expect(ctx.releaseReports).toEqual([
      expect.objectContaining({
        runId: 'gitlab:30:16',
        outcome: 'success',
        url: 'https://gitlab.example.com/finance/ledger-service/-/jobs/802',
        environmentUrl: 'https://staging.ledger.example.com',
      }),
    ]);
  });

  it('falls back to short_sha when there is no commit_url, and ignores running deployments', async () => {
    const body = JSON.parse(text('deployment.failed'));
    delete body.commit_url;
    delete body.ref;
    const ctx = await handle(JSON.stringify(body));
    expect(ctx.releaseReports[0]!.match).toEqual({ commit: '279484c0' });
    const running = await handle(text('deployment.running'));
    expect(running.releaseReports).toEqual([]);
    expect(running.actions).toEqual([{ op: 'ignore', reason: 'deployment 15 is running: not an outcome' }]);
  });

  it('ignores other events and refuses a body that says it is a deployment but is not one', async () => {
    const push = await handle(JSON.stringify({ object_kind: 'push' }));
    expect(push.releaseReports).toEqual([]);
    expect(() =>
      parsePayload(webhook, inboundRequest(JSON.stringify({ object_kind: 'deployment' }))),
    ).toThrow();
  });

  it('compares X-Gitlab-Token with the secret', () => {
    const v = verifyContext('s3cret-token', config);
    const body = text('deployment.success');
    expect(webhook.verify(inboundRequest(body, { 'x-gitlab-token': 's3cret-token' }), v)).toBe(true);
    expect(webhook.verify(inboundRequest(body, { 'x-gitlab-token': 'nope' }), v)).toMatch(/does not match/);
    expect(webhook.verify(inboundRequest(body), v)).toMatch(/missing/);
  });
});
