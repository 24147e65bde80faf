/**
 * The flags of the open board, for its components: `enabled('reports')` is reactive and changes
 * without a reload when an administrator flips the flag (the socket's `flags:changed` makes the
 * provider read the flags again, and OpenFeature's ConfigurationChanged reaches this state).
 * A flag not known yet (before the first answer, or the server unreachable) is on: the server
 * refuses what is off whatever the screen shows.
 */
import { type Client, type EventHandler, OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import type { SocketLease } from '../socket.ts';
import { type LoadFlags, ServerFlagProvider } from './provider.ts';

const DOMAIN = 'blendboard-board';

export class BoardFlags {
  /** bumped on every change the provider reports, so `enabled` reruns where it is read */
  #version = $state(0);
  readonly #provider: ServerFlagProvider;
  readonly #client: Client;
  readonly #bump: EventHandler = () => {
    this.#version++;
  };

  constructor(boardId: string, load: LoadFlags) {
    this.#provider = new ServerFlagProvider(load);
    OpenFeature.setProvider(DOMAIN, this.#provider, { boardId });
    this.#client = OpenFeature.getClient(DOMAIN);
    this.#client.addHandler(ProviderEvents.Ready, this.#bump);
    this.#client.addHandler(ProviderEvents.ConfigurationChanged, this.#bump);
  }

  enabled(key: string): boolean {
    void this.#version;
    return this.#client.getBooleanValue(key, true);
  }

  /** Reads the flags again when the server says they changed, and after a reconnect (changes may be missed). */
  follow(socket: SocketLease): void {
    let connectedBefore = socket.connected;
    socket.on('flags:changed', (frame) => void this.#provider.refresh(frame.keys).catch(() => {}));
    socket.on('connect', () => {
      if (connectedBefore) void this.#provider.refresh().catch(() => {});
      connectedBefore = true;
    });
  }

  close(): void {
    this.#client.removeHandler(ProviderEvents.Ready, this.#bump);
    this.#client.removeHandler(ProviderEvents.ConfigurationChanged, this.#bump);
  }
}
