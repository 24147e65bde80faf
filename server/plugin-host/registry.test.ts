/**
 * Plugin discovery without a server: built-ins, a PLUGIN_DIR with good and bad plugins, and npm
 * package names. A bad plugin is reported, never fatal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPluginModule, discoverPlugins } from './registry.ts';

const protocolUrl = new URL('../../protocol/plugin.ts', import.meta.url).href;
const minimal = (id: string, extra = '') => `export default {
  id: '${id}', name: '${id}', version: '1.0.0', apiVersion: 1,
  configSchema: { type: 'object', properties: {} },
  webhooks: { main: { verify: () => true, handle: () => {} } }, ${extra}
};`;

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bb-registry-'));
  const dir = path.join(root, 'plugins');
  // A folder plugin written in TypeScript against the protocol, as the authoring guide shows.
  mkdirSync(path.join(dir, 'uptime'), { recursive: true });
  writeFileSync(
    path.join(dir, 'uptime', 'index.ts'),
    `import { definePlugin, Type, verifyBearerOrSignature } from '${protocolUrl}';
export default definePlugin({
  id: 'uptime', name: 'Uptime checks', version: '0.3.0', apiVersion: 1,
  configSchema: Type.Object({ minutes: Type.Integer({ default: 5 }) }),
  webhooks: { checks: { verify: verifyBearerOrSignature, handle(_p, ctx) { ctx.ignore('nothing to do'); } } },
});`,
  );
  // A folder with package.json pointing at its entry.
  mkdirSync(path.join(dir, 'with-package', 'dist'), { recursive: true });
  writeFileSync(
    path.join(dir, 'with-package', 'package.json'),
    JSON.stringify({ name: 'x', main: 'dist/main.mjs' }),
  );
  writeFileSync(path.join(dir, 'with-package', 'dist', 'main.mjs'), minimal('packaged'));
  writeFileSync(path.join(dir, 'future.mjs'), minimal('future').replace('apiVersion: 1', 'apiVersion: 2'));
  writeFileSync(path.join(dir, 'imposter.mjs'), minimal('github-actions'));
  writeFileSync(path.join(dir, 'explodes.mjs'), 'throw new Error("boom at import");');
  writeFileSync(path.join(dir, 'notes.md'), '# not a plugin');
  writeFileSync(path.join(dir, 'helper.test.mjs'), 'throw new Error("tests are not plugins");');
  // An npm package in a node_modules the server resolves from.
  mkdirSync(path.join(root, 'node_modules', 'blendboard-plugin-echo'), { recursive: true });
  writeFileSync(
    path.join(root, 'node_modules', 'blendboard-plugin-echo', 'package.json'),
    JSON.stringify({ name: 'blendboard-plugin-echo', main: 'index.mjs' }),
  );
  writeFileSync(path.join(root, 'node_modules', 'blendboard-plugin-echo', 'index.mjs'), minimal('echo'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('plugin discovery', () => {
  it('finds the fourteen built-ins in plugins/', async () => {
    const registry = await discoverPlugins();
    expect(registry.errors).toEqual([]);
    expect(registry.list().every((p) => p.source === 'builtin')).toBe(true);
    expect(registry.list()).toHaveLength(14);
    expect(registry.get('pagerduty')?.webhookNames).toEqual(['events']);
    expect(registry.get('inbound-email')?.webhookNames).toEqual(['mailgun', 'sendgrid', 'postmark']);
  });

  it('loads third-party plugins from a folder and from package names, reporting the bad ones', async () => {
    const registry = await discoverPlugins({
      pluginDir: path.join(root, 'plugins'),
      packages: ['blendboard-plugin-echo', 'blendboard-plugin-missing'],
      resolveFrom: root,
    });
    const loaded = registry.list().filter((p) => p.source !== 'builtin');
    expect(loaded.map((p) => [p.def.id, p.source])).toEqual([
      ['uptime', 'directory'],
      ['packaged', 'directory'],
      ['echo', 'package'],
    ]);
    expect(registry.get('github-actions')?.source).toBe('builtin');
    const messages = registry.errors.map((e) => `${path.basename(e.location)}: ${e.message}`);
    expect(messages).toEqual([
      'explodes.mjs: boom at import',
      'future.mjs: future: targets plugin API 2; this server speaks 1',
      'imposter.mjs: github-actions: another plugin already has this id',
      expect.stringMatching(/^blendboard-plugin-missing: /),
    ]);
  });

  it('explains what a module lacks', () => {
    expect(() => checkPluginModule({})).toThrow(/id must be/);
    expect(() =>
      checkPluginModule({ default: { id: 'ok-id', name: 'n', version: '1', apiVersion: 1 } }),
    ).toThrow(/configSchema/);
    expect(() =>
      checkPluginModule({
        default: {
          id: 'ok-id',
          name: 'n',
          version: '1',
          apiVersion: 1,
          configSchema: { type: 'object' },
          webhooks: { main: { handle() {} } },
        },
      }),
    ).toThrow(/needs verify\(\) and handle\(\)/);
    expect(() =>
      checkPluginModule({
        default: {
          id: 'ok-id',
          name: 'n',
          version: '1',
          apiVersion: 1,
          configSchema: { type: 'object' },
          hooks: { 'card.exploded': () => {} },
        },
      }),
    ).toThrow(/unknown hook "card.exploded"/);
    // not emitted until releases exist, so not offered: a plugin relying on it would silently never run
    expect(() =>
      checkPluginModule({
        default: {
          id: 'ok-id',
          name: 'n',
          version: '1',
          apiVersion: 1,
          configSchema: { type: 'object' },
          hooks: { 'card.released': () => {} },
        },
      }),
    ).toThrow(/unknown hook "card.released"/);
  });
});
