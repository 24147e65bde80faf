import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { describe, expect, it } from 'vitest';
import type { EvaluatedFlags } from '../../../../protocol/flags.ts';
import { ServerFlagProvider } from './provider.ts';

/** A stand-in for GET /api/flags/evaluated: answers from `flags`, recording which board was asked for. */
function server(flags: Record<string, boolean>) {
  const asked: (string | null)[] = [];
  const load = async (boardId: string | null): Promise<EvaluatedFlags> => {
    asked.push(boardId);
    return { boardId, role: 'viewer', flags: { ...flags } };
  };
  return { flags, asked, load };
}

describe('the web app reads flags through OpenFeature', () => {
  it("answers with the server's values for the board in the context, and follows a refresh", async () => {
    const s = server({ reports: false });
    const provider = new ServerFlagProvider(s.load);
    await OpenFeature.setProviderAndWait('test-follow', provider, { boardId: 'board-1' });
    const client = OpenFeature.getClient('test-follow');
    expect(s.asked).toEqual(['board-1']);
    expect(client.getBooleanValue('reports', true)).toBe(false);

    const changed = new Promise<string[] | undefined>((resolve) =>
      client.addHandler(ProviderEvents.ConfigurationChanged, (d) => resolve(d?.flagsChanged)),
    );
    s.flags.reports = true;
    await provider.refresh(['reports']);
    expect(await changed).toEqual(['reports']);
    expect(client.getBooleanValue('reports', false)).toBe(true);
  });

  it('an unknown flag or a wrong type gives the default, not an exception', async () => {
    const provider = new ServerFlagProvider(server({ reports: false }).load);
    await OpenFeature.setProviderAndWait('test-unknown', provider, { boardId: 'board-1' });
    const client = OpenFeature.getClient('test-unknown');
    expect(client.getBooleanValue('teleport', true)).toBe(true);
    expect(client.getStringValue('reports', 'x')).toBe('x');
    expect(client.getBooleanDetails('teleport', true).errorCode).toBe('FLAG_NOT_FOUND');
  });

  it('an older answer that arrives after a newer one is dropped', async () => {
    const answers: ((flags: EvaluatedFlags) => void)[] = [];
    const provider = new ServerFlagProvider(
      () => new Promise<EvaluatedFlags>((resolve) => answers.push(resolve)),
    );
    const ready = OpenFeature.setProviderAndWait('test-order', provider, {});
    answers.shift()!({ boardId: null, role: null, flags: { reports: true } });
    await ready;
    const first = provider.refresh();
    const second = provider.refresh();
    const [older, newer] = answers;
    newer!({ boardId: null, role: null, flags: { reports: false } });
    await second;
    older!({ boardId: null, role: null, flags: { reports: true } });
    await first;
    expect(OpenFeature.getClient('test-order').getBooleanValue('reports', true)).toBe(false);
  });
});
