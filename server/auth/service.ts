/** Accounts, sign-in, sessions and personal API tokens. */
import { randomBytes } from 'node:crypto';
import type { ChangePasswordInput, PasswordChanged, PasswordSet, User } from '../../protocol/model.ts';
import type { Actor } from '../access/board-access.ts';
import { checkPassword, type PasswordContext } from '../domain/password-policy.ts';
import { hashPassword, verifyPassword } from '../domain/passwords.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import * as repo from './repo.ts';

export interface AuthenticatedUser extends User {
  csrfToken: string | null;
}

/**
 * What signed a caller in: a session (by the hash of its cookie, the sessions table's key) or an API
 * token (by its id). Long-lived connections keep it, to be re-checked and to be cut when it ends.
 */
export type Credential =
  | { kind: 'session'; id: string; expiresAt: Date }
  | { kind: 'token'; id: string; expiresAt: null };

export interface SignedIn {
  user: AuthenticatedUser;
  credential: Credential;
}

/** Told when a session ends or a token is revoked, after the change is stored. */
export type RevocationListener = (credential: Pick<Credential, 'kind' | 'id'>) => void;

const toUser = (u: { id: string; email: string; name: string; is_admin: boolean }): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isAdmin: u.is_admin,
});

export const actorOf = (u: User): Actor => ({ userId: u.id, label: u.name, isAdmin: u.isAdmin });

/** Every path that sets a password goes through here: the policy's refusal is a 400 naming the field. */
function requireAcceptablePassword(password: string, ctx: PasswordContext, field = 'password'): void {
  const verdict = checkPassword(password, ctx);
  if (!verdict.ok) throw invalid(field, verdict.message);
}

const setupDone = () => new AppError('SETUP_DONE', 'set-up is already done: sign in instead');

const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

// A hash to compare against when the e-mail is unknown, so timing does not reveal which e-mails exist.
let decoyHash: Promise<string> | null = null;

export class AuthService {
  private readonly revocationListeners = new Set<RevocationListener>();

  constructor(
    private readonly db: Db,
    private readonly sessionTtlHours: number,
  ) {}

  async login(email: string, password: string) {
    const user = await repo.findUserByEmail(this.db, email);
    decoyHash ??= hashPassword('decoy-password');
    const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash));
    if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'wrong e-mail or password');
    return this.openSession(user.id).then((s) => ({ ...s, user: toUser(user) }));
  }

  private async openSession(userId: string) {
    const sessionToken = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(Date.now() + this.sessionTtlHours * 3600_000);
    await repo.insertSession(this.db, repo.sha256(sessionToken), userId, csrfToken, expiresAt);
    return { sessionToken, csrfToken, expiresAt };
  }

  async logout(sessionToken: string): Promise<void> {
    const id = repo.sha256(sessionToken);
    const [deleted] = await repo.deleteSession(this.db, id);
    // Only a session that existed: an unknown cookie must not make every instance look for sockets.
    if (deleted && deleted.numDeletedRows > 0n) this.revoked({ kind: 'session', id });
  }

  /** Registers a listener for ended sessions and revoked tokens; returns its removal. */
  onRevoked(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  private revoked(credential: Pick<Credential, 'kind' | 'id'>) {
    for (const listener of this.revocationListeners) listener(credential);
  }

  async fromSession(sessionToken: string): Promise<AuthenticatedUser | null> {
    return (await this.signInBySession(sessionToken))?.user ?? null;
  }

  async fromToken(token: string): Promise<AuthenticatedUser | null> {
    return (await this.signInByToken(token))?.user ?? null;
  }

  async signInBySession(sessionToken: string): Promise<SignedIn | null> {
    return this.sessionById(repo.sha256(sessionToken));
  }

  async signInByToken(token: string): Promise<SignedIn | null> {
    const row = await repo.findTokenUser(this.db, repo.sha256(token));
    if (!row) return null;
    return { user: { ...toUser(row), csrfToken: null }, credential: tokenCredential(row.token_id) };
  }

  /** The credential's user as the database has it now (null once ended, expired or revoked). */
  async recheck(credential: Credential): Promise<SignedIn | null> {
    if (credential.kind === 'session') return this.sessionById(credential.id);
    const row = await repo.findTokenUserById(this.db, credential.id);
    return row
      ? { user: { ...toUser(row), csrfToken: null }, credential: tokenCredential(credential.id) }
      : null;
  }

  private async sessionById(id: string): Promise<SignedIn | null> {
    const row = await repo.findSessionUser(this.db, id);
    if (!row) return null;
    return {
      user: { ...toUser(row), csrfToken: row.csrf_token },
      credential: { kind: 'session', id, expiresAt: row.expires_at },
    };
  }

  async setupNeeded(): Promise<boolean> {
    return (await repo.countUsers(this.db)) === 0;
  }

  /** The one-time first-run form: creates the first admin and signs them in. */
  async setup(email: string, name: string, password: string) {
    // Answered before the strength check, so the public form costs no CPU once set-up is done.
    if (!(await this.setupNeeded())) throw setupDone();
    requireAcceptablePassword(password, { email, name });
    const user = await repo.insertFirstAdmin(this.db, email, name, await hashPassword(password));
    if (!user) throw setupDone();
    return this.openSession(user.id).then((s) => ({ ...s, user: toUser(user) }));
  }

  /** ADMIN_EMAIL / ADMIN_PASSWORD on first start. Does nothing once any user exists. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    const name = email.split('@')[0] ?? email;
    requireAcceptablePassword(password, { email, name });
    return (await repo.insertFirstAdmin(this.db, email, name, await hashPassword(password))) !== null;
  }

  async createUser(
    actor: Actor,
    v: { email: string; name: string; password: string; isAdmin?: boolean },
  ): Promise<User> {
    if (!actor.isAdmin) throw new AppError('FORBIDDEN', 'only an administrator can create accounts');
    requireAcceptablePassword(v.password, v);
    const row = await repo.insertUser(this.db, { ...v, passwordHash: await hashPassword(v.password) });
    if (!row)
      throw new AppError('CONFLICT', `email: an account with ${v.email} already exists`, { field: 'email' });
    return toUser(row);
  }

  /**
   * A signed-in person changes their own password: they prove the current one, the new one passes the
   * policy, and every other session of theirs ends (their sockets are cut, as on sign-out); the
   * session that asked stays. Only a session can: an API token is no proof of the password.
   */
  async changePassword(
    userId: string,
    /** the cookie of the session that asks; null when the caller came with an API token */
    sessionToken: string | null,
    input: ChangePasswordInput,
  ): Promise<PasswordChanged> {
    if (sessionToken === null)
      throw new AppError('FORBIDDEN', 'sign in with your password to change it; an API token cannot');
    const user = await repo.findUserById(this.db, userId);
    if (!user || !(await verifyPassword(input.currentPassword, user.password_hash)))
      throw invalid('currentPassword', 'is not your current password');
    if (input.newPassword === input.currentPassword)
      throw invalid('newPassword', 'is your current password: choose a new one');
    requireAcceptablePassword(input.newPassword, { email: user.email, name: user.name }, 'newPassword');
    const hash = await hashPassword(input.newPassword);
    const ended = await repo.setPassword(this.db, user.id, hash, {
      was: user.password_hash,
      keepSession: repo.sha256(sessionToken),
    });
    if (ended === null)
      throw new AppError('CONFLICT', 'currentPassword: your password was changed meanwhile; sign in again', {
        field: 'currentPassword',
      });
    for (const id of ended) this.revoked({ kind: 'session', id });
    return { otherSessionsEnded: ended.length };
  }

  /**
   * An administrator sets someone's password (they forgot it, or it leaked): it must pass the policy,
   * and every session of theirs ends. Their API tokens stay; they are credentials of their own.
   */
  async setPasswordFor(actor: Actor, userId: string, newPassword: string): Promise<PasswordSet> {
    if (!actor.isAdmin) throw new AppError('FORBIDDEN', "only an administrator can set someone's password");
    const user = await repo.findUserById(this.db, userId);
    if (!user) throw notFound('user');
    requireAcceptablePassword(newPassword, { email: user.email, name: user.name }, 'newPassword');
    const ended = await repo.setPassword(this.db, user.id, await hashPassword(newPassword));
    if (ended === null) throw notFound('user'); // removed in between
    for (const id of ended) this.revoked({ kind: 'session', id });
    return { sessionsEnded: ended.length };
  }

  async createToken(user: User, name: string) {
    const token = newSecret('bb_');
    const row = await repo.insertToken(this.db, user.id, name, repo.sha256(token), token.slice(0, 10));
    return { ...tokenView(row), token };
  }

  async listTokens(user: User) {
    return (await repo.listTokens(this.db, user.id)).map(tokenView);
  }

  async revokeToken(user: User, tokenId: string): Promise<void> {
    if (!(await repo.revokeToken(this.db, user.id, tokenId)))
      throw new AppError('NOT_FOUND', 'token not found');
    this.revoked({ kind: 'token', id: tokenId });
  }
}

const tokenCredential = (id: string): Credential => ({ kind: 'token', id, expiresAt: null });

function tokenView(r: {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}) {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  };
}
