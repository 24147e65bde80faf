import { describe, expect, expectTypeOf, it } from 'vitest';
import { type BoardHookName, definePlugin, type Static, Type } from '../plugin.ts';

// tsc checks this file (npm run typecheck): the payload types below are what a plugin author gets.
const Run = Type.Object({ pipeline: Type.String(), attempt: Type.Optional(Type.Integer()) });
const Ping = Type.Object({ zen: Type.Literal('ok') });

const plugin = definePlugin({
  id: 'typed',
  name: 'Typed',
  version: '1.0.0',
  apiVersion: 1,
  configSchema: Type.Object({ prefix: Type.String({ default: 'ci' }) }),
  webhooks: {
    runs: {
      verify: () => true,
      payloadSchema: Run,
      deliveryId: (_req, run) => {
        expectTypeOf(run).toEqualTypeOf<Static<typeof Run>>();
        return run.pipeline;
      },
      handle(run, ctx) {
        expectTypeOf(run).toEqualTypeOf<Static<typeof Run>>();
        expectTypeOf(ctx.config.prefix).toEqualTypeOf<string>();
        // @ts-expect-error: not in the schema
        run.branch;
        ctx.tickets.raise({
          dedupKey: `${ctx.config.prefix}:${run.pipeline}`,
          kind: 'ci_failure',
          title: 'x',
        });
      },
    },
    pings: {
      verify: () => true,
      payloadSchema: Ping,
      handle(ping) {
        expectTypeOf(ping).toEqualTypeOf<{ zen: 'ok' }>();
      },
    },
    raw: {
      verify: () => true,
      handle(payload) {
        // without a payloadSchema the payload is unknown: the plugin must check it
        expectTypeOf(payload).toBeUnknown();
      },
    },
  },
});

describe('definePlugin', () => {
  it('types each webhook payload from its payloadSchema, and returns the plugin unchanged', async () => {
    const handle = plugin.webhooks!.runs!.handle;
    type RunPayload = Parameters<typeof handle>[0];
    expectTypeOf<{ pipeline: 'build'; attempt: '2' }>().not.toExtend<RunPayload>();
    expectTypeOf<{ pipeline: 'build'; attempt: 2 }>().toExtend<RunPayload>();
    expect(plugin.webhooks!.runs!.payloadSchema).toBe(Run);
    expect(plugin.webhooks!.runs!.deliveryId!({} as never, { pipeline: 'build' })).toBe('build');
  });

  it('offers no hook the host does not emit (card.released comes with releases)', () => {
    expectTypeOf<'card.released'>().not.toExtend<BoardHookName>();
    const hooks = { 'card.released'() {} };
    definePlugin({
      id: 'x',
      name: 'x',
      version: '1',
      apiVersion: 1,
      configSchema: Type.Object({}),
      // @ts-expect-error: not a hook until releases emit it
      hooks: { 'card.released': hooks['card.released'] },
    });
  });
});
