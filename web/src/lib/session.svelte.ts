/**
 * Who is signed in. On start it asks the server for the current session; without one it finds out
 * whether the one-time set-up form is needed or the sign-in form.
 */
import type { User } from '../../../protocol/model.ts';
import type { Api, SessionReply } from './api.ts';

const SIGNED_IN_KEY = 'blendboard.signedIn';

export type SessionStatus = 'loading' | 'setup' | 'signed-out' | 'signed-in' | 'unreachable';

export class Session {
  status = $state<SessionStatus>('loading');
  user = $state.raw<User | null>(null);

  /** Set when the server ended the session under the user's feet, for the sign-in form to explain. */
  lostMessage = $state<string | null>(null);

  constructor(private readonly api: Api) {
    api.onSessionLost = () => {
      if (this.status !== 'signed-in') return;
      this.#forget();
      this.api.setCsrfToken('');
      this.user = null;
      this.status = 'signed-out';
      this.lostMessage = 'Your session has ended. Sign in again to carry on where you were.';
    };
  }

  /**
   * Asks the probe, which answers 200 signed in or not: a signed-out first load logs no 401 in the
   * console (the session route's 401 would).
   */
  async restore(): Promise<void> {
    try {
      const probe = await this.api.probe();
      if (probe.user) this.#accept({ user: probe.user, csrfToken: probe.csrfToken });
      else {
        this.#forget();
        this.user = null;
        this.status = probe.setupNeeded ? 'setup' : 'signed-out';
      }
    } catch {
      this.status = 'unreachable';
    }
  }

  /**
   * Whether this browser was signed in when last seen here: the board page fetches its snapshot
   * alongside the probe only then, so a signed-out visitor's first load asks for nothing that
   * answers 401. The session cookie itself is HTTP-only; this remembers only that one existed.
   */
  static maybeSignedIn(): boolean {
    try {
      return localStorage.getItem(SIGNED_IN_KEY) === '1';
    } catch {
      return true; // no storage (private mode): prefetch as before
    }
  }

  #remember(): void {
    try {
      localStorage.setItem(SIGNED_IN_KEY, '1');
    } catch {}
  }

  #forget(): void {
    try {
      localStorage.removeItem(SIGNED_IN_KEY);
    } catch {}
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
      this.#forget();
      this.api.setCsrfToken('');
      this.user = null;
      this.status = 'signed-out';
    }
  }

  #accept(reply: SessionReply): void {
    this.#remember();
    this.lostMessage = null;
    this.api.setCsrfToken(reply.csrfToken);
    this.user = reply.user;
    this.status = 'signed-in';
  }
}
