import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InboundRequest, TicketView } from '../../protocol/plugin.ts';
import {
  configWithDefaults,
  inboundRequest,
  parsePayload,
  testWebhookContext,
  verifyContext,
} from '../../protocol/plugin-testkit.ts';
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

async function actionsFor(name: string, tickets: Record<string, Partial<TicketView>> = {}) {
  const ctx = testWebhookContext(config, {
    find: async (key) => (tickets[key] ? ({ resolved: false, ...tickets[key] } as TicketView) : null),
  });
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
      ticket: { dedupKey: '3314:main:push', occurrenceId: '771045', onDefaultBranch: true, severity: 'high' },
    });
    expect((raise as { ticket: { description: string } }).ticket.description).toMatch(/test\/unit-tests/);
    expect(await actionsFor('pipeline.success')).toEqual([
      expect.objectContaining({ op: 'recover', ref: '3314:main:push' }),
    ]);
    expect(await actionsFor('pipeline.running')).toEqual([
      { op: 'ignore', reason: 'pipeline status "running"' },
    ]);
  });

  it('keys on project, ref and source, not on the display name that changes between runs', async () => {
    const [failed] = await actionsFor('pipeline.schedule.failed');
    const [passed] = await actionsFor('pipeline.schedule.success');
    expect(failed).toMatchObject({ op: 'raise', ticket: { dedupKey: '3314:main:schedule' } });
    expect(passed).toMatchObject({ op: 'recover', ref: '3314:main:schedule' });
  });

  it('keeps counting and recovering a ticket still open under the 1.0 key (project, ref, name)', async () => {
    const legacy = { '3314:main:Nightly main @ b8e4a1d0': {} };
    expect((await actionsFor('pipeline.schedule.failed', legacy))[0]).toMatchObject({
      ticket: { dedupKey: '3314:main:Nightly main @ b8e4a1d0' },
    });
    expect((await actionsFor('pipeline.failed', { '3314:main': {} }))[0]).toMatchObject({
      ticket: { dedupKey: '3314:main' },
    });
    // Once resolved, or when a ticket under the new key exists, the new key is used.
    expect((await actionsFor('pipeline.failed', { '3314:main': { resolved: true } }))[0]).toMatchObject({
      ticket: { dedupKey: '3314:main:push' },
    });
    expect(
      (await actionsFor('pipeline.success', { '3314:main': {}, '3314:main:push': {} }))[0],
    ).toMatchObject({ ref: '3314:main:push' });
  });

  it('lets other event kinds through to be ignored, and refuses a pipeline event that is not one', async () => {
    const push = parsePayload(webhook, inboundRequest(JSON.stringify({ object_kind: 'push', ref: 'main' })));
    const ctx = testWebhookContext(config);
    await webhook.handle(push, ctx);
    expect(ctx.actions).toEqual([
      { op: 'ignore', reason: '"push" events are not used; enable pipeline events only' },
    ]);
    const { object_attributes: _, ...broken } = fixture('pipeline.failed');
    expect(() => parsePayload(webhook, inboundRequest(JSON.stringify(broken)))).toThrow();
  });
});
