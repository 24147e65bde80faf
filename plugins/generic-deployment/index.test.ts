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
const text = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');

async function handle(body: string) {
  const ctx = testWebhookContext(config);
  await webhook.handle(parsePayload(webhook, inboundRequest(body)), ctx);
  return ctx;
}

describe('generic deployment plugin', () => {
  it('reports a deployment by version and a check by commit', async () => {
    const failure = await handle(text('failure'));
    expect(failure.releaseReports).toEqual([
      {
        match: { version: '2.4.0' },
        environment: 'system-test',
        runId: 'deploy-7781',
        kind: 'deployment',
        outcome: 'failure',
        url: 'https://ci.example.com/pipelines/7781',
      },
    ]);
    const check = await handle(text('check.failure'));
    expect(check.releaseReports).toEqual([
      expect.objectContaining({ match: { commit: 'f95f852' }, kind: 'check', runId: 'e2e-3141' }),
    ]);
  });

  it('passes on where a successful deployment answers, and refuses an environment URL that is not http(s)', async () => {
    const shadow = {
      ...JSON.parse(text('success')),
      environment: 'production',
      environmentUrl: 'https://shadow.example.com',
    };
    const ok = await handle(JSON.stringify(shadow));
    expect(ok.releaseReports).toEqual([
      expect.objectContaining({ outcome: 'success', environmentUrl: 'https://shadow.example.com' }),
    ]);
    expect(() =>
      parsePayload(
        webhook,
        inboundRequest(JSON.stringify({ ...shadow, environmentUrl: 'javascript:alert(1)' })),
      ),
    ).toThrow(/environmentUrl/);
  });

  it('ignores a run still going and one that names no release', async () => {
    const running = await handle(JSON.stringify({ ...JSON.parse(text('success')), status: 'running' }));
    expect(running.releaseReports).toEqual([]);
    const { version: _, ...anonymous } = JSON.parse(text('success'));
    const nameless = await handle(JSON.stringify(anonymous));
    expect(nameless.actions).toEqual([{ op: 'ignore', reason: expect.stringMatching(/names no release/) }]);
  });

  it('refuses a body with an unknown status or field (400 naming it)', () => {
    expect(() =>
      parsePayload(webhook, inboundRequest(JSON.stringify({ ...JSON.parse(text('success')), status: 'ok' }))),
    ).toThrow(/status/);
    expect(() =>
      parsePayload(webhook, inboundRequest(JSON.stringify({ ...JSON.parse(text('success')), sha: 'x' }))),
    ).toThrow();
  });

  it('authenticates like generic CI: signature or bearer', () => {
    const body = text('success');
    const v = verifyContext('generic-secret', config);
    expect(
      webhook.verify(inboundRequest(body, { 'x-blendboard-signature': `sha256=${v.hmacSha256(body)}` }), v),
    ).toBe(true);
    expect(webhook.verify(inboundRequest(body, { authorization: 'Bearer generic-secret' }), v)).toBe(true);
    expect(webhook.verify(inboundRequest(body, { 'x-blendboard-signature': 'sha256=00' }), v)).toMatch(
      /does not match/,
    );
  });
});
