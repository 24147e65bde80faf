import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../../protocol/plugin.ts';
import {
  configWithDefaults,
  parsePayload,
  testWebhookContext,
  verifyContext,
} from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.events!;
const config = configWithDefaults(plugin.configSchema);
const secret = 'github-webhook-secret';
const raw = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const request = (
  body: Buffer,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): InboundRequest => ({
  headers: { 'content-type': contentType, ...headers },
  query: {},
  rawBody: body,
  contentType,
});
const signed = (body: Buffer | string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function handle(name: string, event = 'workflow_run', cfg = config) {
  const req = request(raw(name), { 'x-github-event': event });
  const ctx = testWebhookContext(cfg, { headers: req.headers as Record<string, string> });
  const result = await webhook.handle(parsePayload(webhook, req), ctx);
  return { actions: ctx.actions, result };
}

describe('GitHub Actions plugin', () => {
  it('verifies X-Hub-Signature-256 over the raw bytes', () => {
    const body = raw('workflow_run.completed.failure');
    const ctx = verifyContext(secret, config);
    expect(webhook.verify(request(body, { 'x-hub-signature-256': signed(body) }), ctx)).toBe(true);
    expect(webhook.verify(request(body, { 'x-hub-signature-256': signed(`${body} `) }), ctx)).toMatch(
      /does not match/,
    );
    expect(webhook.verify(request(body), ctx)).toMatch(/missing X-Hub-Signature-256/);
  });

  it('raises a failed run on the default branch, keyed by repository, workflow and branch', async () => {
    const { actions, result } = await handle('workflow_run.completed.failure');
    expect(actions).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: 'acme-payments/payments-api:74420913:main',
          kind: 'ci_failure',
          title: 'CI failing on main (acme-payments/payments-api)',
          severity: 'high',
          occurrenceId: '11842206731:1',
          branch: 'main',
          onDefaultBranch: true,
          url: 'https://github.com/acme-payments/payments-api/actions/runs/11842206731',
        }),
      },
    ]);
    expect(result).toEqual({ summary: 'CI #1841 failed on main' });
  });

  it('recovers on a successful run, and ignores runs in progress and pings', async () => {
    expect((await handle('workflow_run.completed.success')).actions).toEqual([
      expect.objectContaining({ op: 'recover', ref: 'acme-payments/payments-api:74420913:main' }),
    ]);
    expect((await handle('workflow_run.in_progress')).actions).toEqual([
      { op: 'ignore', reason: 'workflow run in_progress' },
    ]);
    expect((await handle('ping', 'ping')).actions[0]).toMatchObject({ op: 'ignore' });
  });

  it('follows only the configured branches', async () => {
    const onlyReleases = configWithDefaults(plugin.configSchema, { branches: ['release/*'] });
    expect((await handle('workflow_run.completed.failure', 'workflow_run', onlyReleases)).actions).toEqual([
      { op: 'ignore', reason: 'branch main is not followed' },
    ]);
  });

  it('reads the form-encoded flavour GitHub can be set to send', () => {
    const json = raw('workflow_run.completed.failure').toString();
    const form = Buffer.from(new URLSearchParams({ payload: json }).toString());
    const parsed = parsePayload(webhook, request(form, {}, 'application/x-www-form-urlencoded'));
    expect(parsed.action).toBe('completed');
  });

  it('checks a run against the payload schema, and ignores a run that names no repository', async () => {
    const run = JSON.parse(raw('workflow_run.completed.failure').toString());
    const { html_url: _, ...withoutUrl } = run.workflow_run;
    expect(() =>
      parsePayload(webhook, request(Buffer.from(JSON.stringify({ ...run, workflow_run: withoutUrl })))),
    ).toThrow(/workflow_run/);
    const { repository: __, ...orphan } = run;
    const ctx = testWebhookContext(config, { headers: { 'x-github-event': 'workflow_run' } });
    await webhook.handle(parsePayload(webhook, request(Buffer.from(JSON.stringify(orphan)))), ctx);
    expect(ctx.actions).toEqual([{ op: 'ignore', reason: 'the workflow run names no repository' }]);
  });
});
