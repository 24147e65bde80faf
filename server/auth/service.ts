/** Accounts, sign-in, sessions and personal API tokens. */
import { randomBytes } from 'node:crypto';
import type { User } from '../../protocol/model.ts';
import type { Actor } from '../access/board-access.ts';
import { checkPassword, type PasswordContext } from '../domain/password-policy.ts';
import { hashPassword, verifyPassword } from '../domain/passwords.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid } from '../infra/errors.ts';
import * as repo from './repo.ts';

export interface AuthenticatedUser extends User {
  csrfToken: string | null;
}

const toUser = (u: { id: string; email: string; name: string; is_admin: boolean }): User => ({
  id: u.id,
  email: u.email,
  name: u.name,
  isAdmin: u.is_admin,
});

export const actorOf = (u: User): Actor => ({ userId: u.id, label: u.name, isAdmin: u.isAdmin });

/** Every path that sets a password goes through here: the policy's refusal is a 400 naming `password`. */
function requireAcceptablePassword(password: string, ctx: PasswordContext): void {
  const verdict = checkPassword(password, ctx);
  if (!verdict.ok) throw invalid('password', verdict.message);
}

const setupDone = () => new AppError('SETUP_DONE', 'set-up is already done: sign in instead');

const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

// A hash to compare against when the e-mail is unknown, so timing does not reveal which e-mails exist.
let decoyHash: Promise<string> | null = null;

export class AuthService {
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
    await repo.deleteSession(this.db, repo.sha256(sessionToken));
  }

  async fromSession(sessionToken: string): Promise<AuthenticatedUser | null> {
    const row = await repo.findSessionUser(this.db, repo.sha256(sessionToken));
    return row ? { ...toUser(row), csrfToken: row.csrf_token } : null;
  }

  async fromToken(token: string): Promise<AuthenticatedUser | null> {
    const row = await repo.findTokenUser(this.db, repo.sha256(token));
    return row ? { ...toUser(row), csrfToken: null } : null;
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
  }
}

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
