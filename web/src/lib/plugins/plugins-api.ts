/**
 * The plugin endpoints of one board (docs/plugins.md), over the app's one HTTP client so the CSRF
 * token, session handling and the server's error shape (ApiError with `field`) stay in one place.
 */
import type {
  DeliveryDetail,
  DeliveryPage,
  DeliverySummary,
  Installation,
  InstallationWithSecret,
  PluginInfo,
} from '../../../../protocol/plugin.ts';
import type { Api } from '../api.ts';

export interface AvailablePlugins {
  plugins: PluginInfo[];
  loadErrors: { location: string; message: string }[];
}

export class BoardPluginsApi {
  readonly #base: string;

  constructor(
    private readonly api: Api,
    boardId: string,
  ) {
    this.#base = `/api/boards/${boardId}/plugins`;
  }

  available = () => this.api.request<AvailablePlugins>('GET', '/api/plugins');
  list = () => this.api.request<Installation[]>('GET', this.#base);
  install = (input: { pluginId: string; name?: string; config: Record<string, unknown> }) =>
    this.api.request<InstallationWithSecret>('POST', this.#base, input);
  setEnabled = (installationId: string, enabled: boolean) =>
    this.api.request<Installation>('PATCH', `${this.#base}/${installationId}`, { enabled });
  rotateSecret = (installationId: string) =>
    this.api.request<InstallationWithSecret>('POST', `${this.#base}/${installationId}/secret`, {});
  deliveries = (installationId: string, limit = 25) =>
    this.api.request<DeliveryPage>('GET', `${this.#base}/${installationId}/deliveries?limit=${limit}`);
  delivery = (installationId: string, deliveryId: string) =>
    this.api.request<DeliveryDetail>('GET', `${this.#base}/${installationId}/deliveries/${deliveryId}`);
  replay = (installationId: string, deliveryId: string) =>
    this.api.request<DeliverySummary>(
      'POST',
      `${this.#base}/${installationId}/deliveries/${deliveryId}/replay`,
    );
}
