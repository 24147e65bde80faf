/**
 * Who is signed in. On start it asks the server for the current session; without one it finds out
 * whether the one-time set-up form is needed or the sign-in form.
 */
import type { User } from '../../../protocol/model.ts';
import { type Api, ApiError, type SessionReply } from './api.ts';

export type SessionStatus = 'loading' | 'setup' | 'signed-out' | 'signed-in' | 'unreachable';

export class Session {
  status = $state<SessionStatus>('loading');
  user = $state.raw<User | null>(null);

  /** Set when the server ended the session under the user's feet, for the sign-in form to explain. */
  lostMessage = $state<string | null>(null);

  constructor(private readonly api: Api) {
    api.onSessionLost = () => {
      if (this.status !== 'signed-in') return;
      this.api.setCsrfToken('');
      this.user = null;
      this.status = 'signed-out';
      this.lostMessage = 'Your session has ended. Sign in again to carry on where you were.';
    };
  }

  async restore(): Promise<void> {
    try {
      this.#accept(await this.api.session());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await this.#signedOut();
        return;
      }
      this.status = 'unreachable';
    }
  }

  /** Throws ApiError (e.g. UNAUTHENTICATED for a wrong password) for the form to show. */
  async signIn(email: string, password: string): Promise<void> {
    this.#accept(await this.api.login(email.trim(), password));
  }

  async setUp(input: { email: string; name: string; password: string }): Promise<void> {
    this.#accept(await this.api.setup({ ...input, email: input.email.trim(), name: input.name.trim() }));
  }

  async signOut(): Promise<void> {
    try {
      await this.api.logout();
    } finally {
      this.api.setCsrfToken('');
      this.user = null;
      this.status = 'signed-out';
    }
  }

  #accept(reply: SessionReply): void {
    this.lostMessage = null;
    this.api.setCsrfToken(reply.csrfToken);
    this.user = reply.user;
    this.status = 'signed-in';
  }

  async #signedOut(): Promise<void> {
    this.user = null;
    try {
      const { needed } = await this.api.setupNeeded();
      this.status = needed ? 'setup' : 'signed-out';
    } catch {
      this.status = 'signed-out';
    }
  }
}
