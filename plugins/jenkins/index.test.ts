import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundRequest, TicketView } from '../../protocol/plugin.ts';
import { configWithDefaults, testWebhookContext, verifyContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.notification!;
const config = configWithDefaults(plugin.configSchema);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
const request = (query: Record<string, string>): InboundRequest => ({
  headers: {},
  query,
  rawBody: Buffer.from('{}'),
  contentType: 'application/json',
});

async function actionsFor(name: string, cfg = config) {
  const ctx = testWebhookContext(cfg);
  await webhook.handle(fixture(name), ctx);
  return ctx.actions;
}

describe('Jenkins plugin', () => {
  it('checks the token in the URL', () => {
    const ctx = verifyContext('jenkins-secret', config);
    expect(webhook.verify(request({ token: 'jenkins-secret' }), ctx)).toBe(true);
    expect(webhook.verify(request({ token: 'x' }), ctx)).toMatch(/does not match/);
    expect(webhook.verify(request({}), ctx)).toMatch(/missing \?token=/);
  });

  it('raises a failed finalized build per job and branch, and recovers on success', async () => {
    expect(await actionsFor('build.finalized.failure')).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: 'checkout-web:master',
          occurrenceId: 'checkout-web#412',
          onDefaultBranch: true,
          url: 'https://jenkins.example.com/job/checkout-web/412/',
        }),
      },
    ]);
    expect(await actionsFor('build.finalized.success')).toEqual([
      expect.objectContaining({ op: 'recover', ref: 'checkout-web:master' }),
    ]);
    expect(await actionsFor('build.started')).toEqual([{ op: 'ignore', reason: 'phase STARTED' }]);
  });

  it('acts on COMPLETED too, as the same occurrence of the build, and recovers only once', async () => {
    expect(await actionsFor('build.completed.failure')).toEqual([
      {
        op: 'raise',
        ticket: expect.objectContaining({
          dedupKey: 'checkout-web:master',
          occurrenceId: 'checkout-web#412',
        }),
      },
    ]);
    expect(await actionsFor('build.completed.success')).toEqual([
      expect.objectContaining({ op: 'recover', ref: 'checkout-web:master' }),
    ]);
    const ctx = testWebhookContext(config, {
      find: async () => ({ status: 'recovered', resolved: false }) as TicketView,
    });
    await webhook.handle(fixture('build.finalized.success'), ctx);
    expect(ctx.actions).toEqual([
      { op: 'ignore', reason: 'checkout-web #413 succeeded; the ticket is already recovered' },
    ]);
  });

  it('still accepts a 1.0 config with phase, and treats UNSTABLE as a failure if asked', async () => {
    const cfg = configWithDefaults(plugin.configSchema, {
      phase: 'FINALIZED',
      failOn: ['FAILURE', 'UNSTABLE'],
    });
    const unstable = fixture('build.finalized.failure');
    unstable.build.phase = 'COMPLETED';
    unstable.build.status = 'UNSTABLE';
    const ctx = testWebhookContext(cfg);
    await webhook.handle(unstable, ctx);
    expect(ctx.actions[0]).toMatchObject({
      op: 'raise',
      ticket: { title: 'checkout-web unstable on master' },
    });
  });
});
