import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { configWithDefaults, testWebhookContext } from '../../protocol/plugin-testkit.ts';
import plugin, { GenericIncidentPayload } from './index.ts';

const webhook = plugin.webhooks!.incidents!;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));

describe('generic incident plugin', () => {
  it('documents a format the fixtures follow', () => {
    for (const name of ['triggered', 'acknowledged', 'resolved']) {
      expect(Value.Check(GenericIncidentPayload, fixture(name))).toBe(true);
    }
  });

  it('raises, comments and recovers by incident id', async () => {
    const ctx = testWebhookContext(configWithDefaults(plugin.configSchema));
    for (const name of ['triggered', 'acknowledged', 'resolved']) await webhook.handle(fixture(name), ctx);
    expect(ctx.actions.map((a) => a.op)).toEqual(['raise', 'comment', 'recover']);
    expect(ctx.actions[0]).toMatchObject({
      ticket: {
        dedupKey: 'INC-1042',
        severity: 'high',
        fingerprint: 'settlement-export-missing',
        service: 'settlement',
        occurrenceId: 'INC-1042:2026-11-22T02:15:00Z',
      },
    });
  });
});
