/**
 * "Add integration": choose a plugin, fill in its config (fields from its schema, starting at its
 * defaults), install. Errors the server names a field for are shown next to that field; others
 * above the form.
 */
import type { InstallationWithSecret, PluginInfo } from '../../../../protocol/plugin.ts';
import { ApiError } from '../api.ts';
import {
  buildConfig,
  type ConfigField,
  configFields,
  type FieldValue,
  fieldForError,
  initialValues,
} from './config-form.ts';
import type { BoardPluginsApi } from './plugins-api.ts';

export interface FieldGroup {
  title: string;
  fields: ConfigField[];
}

const stripField = (message: string, field: string) =>
  message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;

/**
 * The message as shown by the field it is placed at: without the field's own name, but with the
 * part of the path inside a JSON field (`0.stream: must be one of …` under Rules).
 */
function placed(at: string, serverField: string, message: string): string {
  const why = stripField(message, serverField);
  const path = serverField.slice('config.'.length);
  return path.startsWith(`${at}.`) ? `${path.slice(at.length + 1)}: ${why}` : why;
}

export class InstallForm {
  readonly #plugins: () => PluginInfo[];
  pluginId = $state('');
  name = $state('');
  values = $state<Record<string, FieldValue>>({});
  errors = $state.raw<Record<string, string>>({});
  formError = $state<string | null>(null);
  submitting = $state(false);

  plugin = $derived.by(() => this.#plugins().find((p) => p.id === this.pluginId));
  fields = $derived(this.plugin ? configFields(this.plugin.configSchema) : []);
  /** top-level fields first, then one section per nested object, in schema order */
  groups = $derived.by(() => {
    const groups: FieldGroup[] = [];
    for (const field of this.fields) {
      let group = groups.find((g) => g.title === field.group);
      if (!group) {
        group = { title: field.group, fields: [] };
        if (field.group === '') groups.unshift(group);
        else groups.push(group);
      }
      group.fields.push(field);
    }
    return groups;
  });

  constructor(
    private readonly http: BoardPluginsApi,
    plugins: () => PluginInfo[],
  ) {
    this.#plugins = plugins;
  }

  choose(pluginId: string): void {
    this.pluginId = pluginId;
    const plugin = this.plugin;
    this.name = plugin?.name ?? '';
    this.values = plugin ? initialValues(configFields(plugin.configSchema), plugin.configDefaults) : {};
    this.errors = {};
    this.formError = null;
  }

  set(path: string, value: FieldValue): void {
    this.values[path] = value;
    if (this.errors[path]) {
      const { [path]: _, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  /** Installs; the installation with its one-time secret, or null when something must be fixed. */
  async submit(): Promise<InstallationWithSecret | null> {
    if (!this.plugin) {
      this.formError = 'Choose a plugin first.';
      return null;
    }
    const { config, errors } = buildConfig(this.fields, this.values);
    this.errors = errors;
    this.formError = null;
    if (Object.keys(errors).length > 0) return null;
    this.submitting = true;
    try {
      return await this.http.install({
        pluginId: this.plugin.id,
        config,
        ...(this.name.trim() ? { name: this.name.trim() } : {}),
      });
    } catch (err) {
      this.#showServerError(err);
      return null;
    } finally {
      this.submitting = false;
    }
  }

  #showServerError(err: unknown): void {
    if (!(err instanceof ApiError)) {
      this.formError = err instanceof Error ? err.message : String(err);
      return;
    }
    const listed = Array.isArray(err.body.errors)
      ? (err.body.errors as { field?: unknown; message?: unknown }[])
      : [{ field: err.field, message: err.message }];
    const errors: Record<string, string> = {};
    const unplaced: string[] = [];
    for (const e of listed) {
      const field = typeof e.field === 'string' ? e.field : undefined;
      const message = typeof e.message === 'string' ? e.message : err.message;
      const at = fieldForError(this.fields, field);
      if (field === 'name') errors.name = stripField(message, field);
      else if (at && field && !errors[at]) errors[at] = placed(at, field, message);
      else if (!at) unplaced.push(message);
    }
    this.errors = errors;
    this.formError = unplaced.length > 0 ? unplaced.join(' · ') : null;
  }
}
