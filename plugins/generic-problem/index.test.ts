import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TicketView } from '../../protocol/plugin.ts';
import { configWithDefaults, testWebhookContext } from '../../protocol/plugin-testkit.ts';
import plugin from './index.ts';

const webhook = plugin.webhooks!.problems!;
const config = configWithDefaults(plugin.configSchema);
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
const existing = (resolved: boolean): TicketView => ({
  cardId: '00000000-0000-4000-8000-0000000000aa',
  key: 'OPS-7',
  title: 'x',
  dedupKey: 'PRB-77',
  status: 'firing',
  resolved,
  occurrences: 1,
  lastSeenAt: new Date(0).toISOString(),
});

describe('problem plugin', () => {
  it('switches the recurring-incident rule on by default', () => {
    expect(config.recurrence).toEqual({
      enabled: true,
      threshold: 3,
      windowMinutes: 1440,
      matchBy: ['fingerprint', 'service'],
    });
  });

  it('raises a new record with its known error and links its incidents', async () => {
    const ctx = testWebhookContext(config);
    await webhook.handle(fixture('known-error'), ctx);
    expect(ctx.actions.map((a) => a.op)).toEqual(['raise', 'update', 'link']);
    expect(ctx.actions[1]).toMatchObject({
      fields: { knownError: { rootCause: expect.stringMatching(/caches client keys/) } },
    });
    expect(ctx.actions[2]).toEqual({
      op: 'link',
      ref: 'PRB-77',
      to: { plugin: 'generic-incident', dedupKey: 'INC-1042' },
      kind: 'problem_for',
    });
  });

  it('does not raise a known record again, and reopens it if it was resolved', async () => {
    const open = testWebhookContext(config, { find: async () => existing(false) });
    await webhook.handle(fixture('known-error'), open);
    expect(open.actions.map((a) => a.op)).toEqual(['update', 'update', 'link']);
    const resolved = testWebhookContext(config, { find: async () => existing(true) });
    await webhook.handle(fixture('known-error'), resolved);
    expect(resolved.actions[0]).toMatchObject({ op: 'reopen', ref: 'PRB-77' });
  });
});
