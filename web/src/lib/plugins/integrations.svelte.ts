/**
 * The integrations of one board: the plugins this server offers, the board's installations, and the
 * actions on them (enable, disable, rotate the secret). A freshly installed or rotated secret is held
 * in `reveal` until the user dismisses it: the server shows a secret only once.
 */
import type { Installation, InstallationWithSecret, PluginInfo } from '../../../../protocol/plugin.ts';
import type { BoardPluginsApi } from './plugins-api.ts';

export type Notify = (message: string, kind: 'info' | 'success' | 'warning' | 'error') => void;

export interface SecretReveal {
  installationId: string;
  name: string;
  pluginId: string;
  secret: string;
  reason: 'installed' | 'rotated';
}

export class Integrations {
  status = $state<'loading' | 'ready' | 'error'>('loading');
  error = $state<string | null>(null);
  plugins = $state.raw<PluginInfo[]>([]);
  loadErrors = $state.raw<{ location: string; message: string }[]>([]);
  installations = $state.raw<Installation[]>([]);
  reveal = $state.raw<SecretReveal | null>(null);
  /** installations with an action under way */
  busy = $state.raw<ReadonlySet<string>>(new Set());

  constructor(
    readonly http: BoardPluginsApi,
    private readonly notify: Notify,
  ) {}

  async load(): Promise<void> {
    try {
      const [available, installations] = await Promise.all([this.http.available(), this.http.list()]);
      this.plugins = available.plugins;
      this.loadErrors = available.loadErrors;
      this.installations = installations;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      this.status = 'error';
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  pluginOf(installation: Installation): PluginInfo | undefined {
    return this.plugins.find((p) => p.id === installation.pluginId);
  }

  /** A new installation (from the install form): listed, and its secret shown once. */
  installed(result: InstallationWithSecret): void {
    const { secret, ...installation } = result;
    this.installations = [...this.installations, installation];
    this.reveal = {
      installationId: installation.id,
      name: installation.name,
      pluginId: installation.pluginId,
      secret,
      reason: 'installed',
    };
  }

  async setEnabled(installationId: string, enabled: boolean): Promise<void> {
    await this.#act(installationId, async () => {
      this.#replace(await this.http.setEnabled(installationId, enabled));
      this.notify(
        enabled ? 'Enabled: deliveries are accepted again.' : 'Disabled: deliveries are refused.',
        'info',
      );
    });
  }

  /** A new generated secret; the old one stops working at once (the tool must be updated). */
  async rotateSecret(installationId: string): Promise<void> {
    await this.#act(installationId, async () => {
      const { secret, ...installation } = await this.http.rotateSecret(installationId);
      this.#replace(installation);
      this.reveal = {
        installationId,
        name: installation.name,
        pluginId: installation.pluginId,
        secret,
        reason: 'rotated',
      };
    });
  }

  dismissReveal(): void {
    this.reveal = null;
  }

  #replace(installation: Installation): void {
    this.installations = this.installations.map((i) => (i.id === installation.id ? installation : i));
  }

  async #act(installationId: string, action: () => Promise<void>): Promise<void> {
    this.busy = new Set([...this.busy, installationId]);
    try {
      await action();
    } catch (err) {
      this.notify(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      this.busy = new Set([...this.busy].filter((id) => id !== installationId));
    }
  }
}
