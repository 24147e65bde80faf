/**
 * A plugin's install form, derived from its config schema (the JSON Schema /api/plugins sends):
 * which fields to show and how, their starting values (the plugin's defaults), the config object
 * the values make, and where a server validation error (`field: "config.lifecycle.onRecovery"`)
 * belongs on the form. Pure: no Svelte, no I/O.
 *
 * Scalars, enums and lists of enums or strings get their own inputs; anything richer (routing rules,
 * free-form records) is a small JSON editor, so every config a schema allows can still be entered.
 */

export type FieldKind = 'choice' | 'text' | 'number' | 'toggle' | 'multi' | 'list' | 'json';

export interface ConfigField {
  /** dotted path inside the config, e.g. `lifecycle.onRecovery` */
  path: string;
  label: string;
  /** the section it is shown in: '' for top-level fields, else e.g. 'Routing · Fallback' */
  group: string;
  kind: FieldKind;
  /** allowed values (choice, multi) */
  options: string[];
  help: string;
  required: boolean;
}

/** What an input holds: text for text, number, list and JSON fields. */
export type FieldValue = string | boolean | string[];

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  description?: string;
}

const asSchema = (s: unknown): Schema => (s && typeof s === 'object' ? (s as Schema) : {});

/** `slaTier` → `SLA tier`, `onRecovery` → `On recovery`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .replace(/\bsla\b/g, 'SLA')
    .replace(/\burl\b/g, 'URL');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function choices(s: Schema): string[] | null {
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return s.enum as string[];
  if (s.anyOf?.length && s.anyOf.every((a) => typeof a.const === 'string'))
    return s.anyOf.map((a) => a.const as string);
  return null;
}

/** A description that only lists the enum's values ("a | b") says nothing the select does not. */
function helpOf(s: Schema, options: string[] | null): string {
  const d = s.description ?? '';
  return options && d === options.join(' | ') ? '' : d;
}

function kindOf(s: Schema): { kind: FieldKind; options: string[] } {
  const options = choices(s);
  if (options) return { kind: 'choice', options };
  if (s.type === 'string') return { kind: 'text', options: [] };
  if (s.type === 'integer' || s.type === 'number') return { kind: 'number', options: [] };
  if (s.type === 'boolean') return { kind: 'toggle', options: [] };
  if (s.type === 'array' && s.items) {
    const items = asSchema(s.items);
    const itemChoices = choices(items);
    if (itemChoices) return { kind: 'multi', options: itemChoices };
    if (items.type === 'string') return { kind: 'list', options: [] };
  }
  return { kind: 'json', options: [] };
}

/** The form's fields, in schema order; nested objects with named properties become sections. */
export function configFields(schema: unknown): ConfigField[] {
  const fields: ConfigField[] = [];
  const walk = (s: Schema, prefix: string[], labels: string[]) => {
    const required = new Set(s.required ?? []);
    for (const [key, raw] of Object.entries(s.properties ?? {})) {
      const sub = asSchema(raw);
      if (sub.type === 'object' && sub.properties && Object.keys(sub.properties).length > 0) {
        walk(sub, [...prefix, key], [...labels, humanize(key)]);
        continue;
      }
      const { kind, options } = kindOf(sub);
      fields.push({
        path: [...prefix, key].join('.'),
        label: humanize(key),
        group: labels.join(' · '),
        kind,
        options,
        help: helpOf(sub, kind === 'choice' || kind === 'multi' ? options : null),
        required: required.has(key),
      });
    }
  };
  walk(asSchema(schema), [], []);
  return fields;
}

export function valueAt(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const key of path.split('.')) {
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = obj;
  for (const key of keys.slice(0, -1)) {
    if (!at[key] || typeof at[key] !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

/** The inputs' starting values: the plugin's defaults (what an empty install would get). */
export function initialValues(fields: readonly ConfigField[], defaults: unknown): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const f of fields) {
    const v = valueAt(defaults, f.path);
    switch (f.kind) {
      case 'toggle':
        values[f.path] = v === true;
        break;
      case 'multi':
        values[f.path] = Array.isArray(v) ? v.map(String) : [];
        break;
      case 'list':
        values[f.path] = Array.isArray(v) ? v.join(', ') : '';
        break;
      case 'json':
        values[f.path] = v === undefined ? '' : JSON.stringify(v, null, 2);
        break;
      default:
        values[f.path] = v === undefined || v === null ? '' : String(v);
    }
  }
  return values;
}

/**
 * The config the inputs make. Empty optional inputs are left out (the server fills defaults in);
 * what cannot be read (bad JSON, not a number) is an error on that field, and nothing is sent.
 */
export function buildConfig(
  fields: readonly ConfigField[],
  values: Readonly<Record<string, FieldValue>>,
): { config: Record<string, unknown>; errors: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.path];
    if (f.kind === 'toggle') {
      setAt(config, f.path, v === true);
      continue;
    }
    if (f.kind === 'multi') {
      setAt(config, f.path, Array.isArray(v) ? [...v] : []);
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') continue;
    if (f.kind === 'list') {
      setAt(
        config,
        f.path,
        text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    } else if (f.kind === 'number') {
      const n = Number(text);
      if (Number.isFinite(n)) setAt(config, f.path, n);
      else errors[f.path] = 'must be a number';
    } else if (f.kind === 'json') {
      try {
        setAt(config, f.path, JSON.parse(text));
      } catch (err) {
        errors[f.path] = `not valid JSON (${err instanceof Error ? err.message : String(err)})`;
      }
    } else {
      setAt(config, f.path, text);
    }
  }
  return { config, errors };
}

/**
 * Which field a server error is about: the field itself, the JSON field it lies inside
 * (`config.routing.rules.0.stream` → `routing.rules`), or the first field of the object it names.
 * Null when no field on the form matches (shown above the form instead).
 */
export function fieldForError(
  fields: readonly ConfigField[],
  serverField: string | undefined,
): string | null {
  if (!serverField?.startsWith('config.')) return null;
  const path = serverField.slice('config.'.length);
  const exact = fields.find((f) => f.path === path);
  if (exact) return exact.path;
  const container = fields.find((f) => path.startsWith(`${f.path}.`));
  if (container) return container.path;
  const inside = fields.find((f) => f.path.startsWith(`${path}.`));
  return inside?.path ?? null;
}
