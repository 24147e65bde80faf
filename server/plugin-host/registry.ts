/**
 * Plugin discovery: built-ins from plugins/<id>/index.ts, third-party plugins from PLUGIN_DIR (a
 * folder of plugin folders or files) and from npm package names (PLUGIN_PACKAGES). Each module's
 * default export is checked against the plugin API; a module that fails to load or to check is
 * reported and skipped, never fatal, so one bad plugin cannot keep the server down.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BOARD_HOOKS,
  configWithDefaults,
  PLUGIN_API_VERSION,
  type PluginDefinition,
  type PluginInfo,
} from '../../protocol/plugin.ts';

export type PluginSource = 'builtin' | 'directory' | 'package';

export interface LoadedPlugin {
  def: PluginDefinition;
  source: PluginSource;
  location: string;
  /** in declaration order; the first is served at /hooks/<installation> */
  webhookNames: string[];
}

export interface PluginLoadError {
  location: string;
  message: string;
}

export const BUILTIN_PLUGIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins');

const ID = /^[a-z][a-z0-9-]{1,49}$/;
const WEBHOOK_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const KNOWN_HOOKS = new Set<string>(BOARD_HOOKS);

export class PluginRegistry {
  private readonly byId: Map<string, LoadedPlugin>;
  constructor(
    plugins: LoadedPlugin[],
    readonly errors: PluginLoadError[] = [],
  ) {
    this.byId = new Map(plugins.map((p) => [p.def.id, p]));
  }
  get(id: string): LoadedPlugin | undefined {
    return this.byId.get(id);
  }
  list(): LoadedPlugin[] {
    return [...this.byId.values()];
  }
  /** plugins that declare at least one board-event hook */
  withHooks(): LoadedPlugin[] {
    return this.list().filter((p) => p.def.hooks && Object.keys(p.def.hooks).length > 0);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isFn = (v: unknown) => typeof v === 'function';

/** Checks a module's default export against the plugin API; throws a message naming what is wrong. */
export function checkPluginModule(mod: unknown): { def: PluginDefinition; webhookNames: string[] } {
  const def = isObject(mod) && isObject(mod.default) ? mod.default : mod;
  if (!isObject(def))
    throw new Error('the module has no default export (export default definePlugin({...}))');
  if (typeof def.id !== 'string' || !ID.test(def.id))
    throw new Error(`id must be 2-50 lower-case letters, digits or dashes (got ${JSON.stringify(def.id)})`);
  if (typeof def.name !== 'string' || !def.name.trim()) throw new Error(`${def.id}: name is required`);
  if (typeof def.version !== 'string' || !def.version.trim())
    throw new Error(`${def.id}: version is required`);
  if (def.apiVersion !== PLUGIN_API_VERSION)
    throw new Error(
      `${def.id}: targets plugin API ${JSON.stringify(def.apiVersion)}; this server speaks ${PLUGIN_API_VERSION}`,
    );
  if (!isObject(def.configSchema) || def.configSchema.type !== 'object')
    throw new Error(`${def.id}: configSchema must be an object schema (Type.Object({...}))`);
  const webhookNames: string[] = [];
  if (def.webhooks !== undefined) {
    if (!isObject(def.webhooks)) throw new Error(`${def.id}: webhooks must be an object of handlers`);
    for (const [name, h] of Object.entries(def.webhooks)) {
      if (!WEBHOOK_NAME.test(name))
        throw new Error(`${def.id}: webhook name "${name}" must be lower-case letters, digits or dashes`);
      if (!isObject(h) || !isFn(h.verify) || !isFn(h.handle))
        throw new Error(`${def.id}: webhook "${name}" needs verify() and handle()`);
      for (const opt of ['parse', 'deliveryId'] as const) {
        if (h[opt] !== undefined && !isFn(h[opt]))
          throw new Error(`${def.id}: webhook "${name}".${opt} must be a function`);
      }
      webhookNames.push(name);
    }
  }
  if (def.hooks !== undefined) {
    if (!isObject(def.hooks)) throw new Error(`${def.id}: hooks must be an object`);
    for (const [name, fn] of Object.entries(def.hooks)) {
      if (!KNOWN_HOOKS.has(name))
        throw new Error(`${def.id}: unknown hook "${name}" (known: ${BOARD_HOOKS.join(', ')})`);
      if (!isFn(fn)) throw new Error(`${def.id}: hook "${name}" must be a function`);
    }
  }
  if (webhookNames.length === 0 && Object.keys(def.hooks ?? {}).length === 0)
    throw new Error(`${def.id}: declares neither webhooks nor hooks`);
  return { def: def as unknown as PluginDefinition, webhookNames };
}

/** The file a third-party plugin folder starts from: package.json main/exports, else index.*. */
function entryOf(dir: string): string | null {
  const pkgFile = path.join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: string; exports?: unknown };
    const exp = pkg.exports;
    const main =
      typeof exp === 'string'
        ? exp
        : isObject(exp) && typeof exp['.'] === 'string'
          ? (exp['.'] as string)
          : isObject(exp) &&
              isObject(exp['.']) &&
              typeof (exp['.'] as Record<string, unknown>).import === 'string'
            ? ((exp['.'] as Record<string, unknown>).import as string)
            : pkg.main;
    if (main) return path.resolve(dir, main);
  }
  for (const f of ['index.ts', 'index.mjs', 'index.js']) {
    if (existsSync(path.join(dir, f))) return path.join(dir, f);
  }
  return null;
}

function candidatesIn(dir: string, filesToo: boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      const entry = entryOf(full);
      if (entry) out.push(entry);
    } else if (filesToo && /\.(m?js|ts)$/.test(name) && !/\.(test|spec)\.[mc]?[jt]s$/.test(name)) {
      out.push(full);
    }
  }
  return out;
}

export interface DiscoveryOptions {
  builtinDir?: string | null;
  pluginDir?: string | null;
  packages?: string[];
  /** where npm package names resolve from; default the working directory */
  resolveFrom?: string;
}

export async function discoverPlugins(options: DiscoveryOptions = {}): Promise<PluginRegistry> {
  const found: LoadedPlugin[] = [];
  const errors: PluginLoadError[] = [];
  const ids = new Set<string>();

  const load = async (source: PluginSource, location: string, specifier: string) => {
    try {
      const mod: unknown = await import(specifier);
      const { def, webhookNames } = checkPluginModule(mod);
      if (ids.has(def.id)) throw new Error(`${def.id}: another plugin already has this id`);
      configWithDefaults(def.configSchema); // a schema TypeBox cannot use fails here, not at install time
      ids.add(def.id);
      found.push({ def, source, location, webhookNames });
    } catch (err) {
      errors.push({ location, message: err instanceof Error ? err.message : String(err) });
    }
  };

  const builtinDir = options.builtinDir === undefined ? BUILTIN_PLUGIN_DIR : options.builtinDir;
  if (builtinDir) {
    for (const entry of candidatesIn(builtinDir, false))
      await load('builtin', entry, pathToFileURL(entry).href);
  }
  if (options.pluginDir) {
    const dir = path.resolve(options.pluginDir);
    if (!existsSync(dir)) errors.push({ location: dir, message: 'PLUGIN_DIR does not exist' });
    for (const entry of candidatesIn(dir, true)) await load('directory', entry, pathToFileURL(entry).href);
  }
  const requireFrom = createRequire(
    path.join(path.resolve(options.resolveFrom ?? process.cwd()), 'package.json'),
  );
  for (const name of options.packages ?? []) {
    let specifier = name;
    try {
      specifier = pathToFileURL(requireFrom.resolve(name)).href;
    } catch {
      // ESM-only packages without a require condition: let import() resolve the bare name.
    }
    await load('package', name, specifier);
  }
  return new PluginRegistry(found, errors);
}

export function pluginInfo(p: LoadedPlugin): PluginInfo {
  return {
    id: p.def.id,
    name: p.def.name,
    version: p.def.version,
    apiVersion: p.def.apiVersion,
    description: p.def.description ?? '',
    source: p.source,
    webhooks: p.webhookNames.map((name) => ({
      name,
      description: p.def.webhooks?.[name]?.description ?? '',
    })),
    hooks: Object.keys(p.def.hooks ?? {}),
    configSchema: p.def.configSchema,
    configDefaults: configWithDefaults(p.def.configSchema),
  };
}
