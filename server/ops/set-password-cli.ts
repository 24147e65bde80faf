/**
 * `NEW_PASSWORD='<new password>' npm run set-password -- <e-mail>`: the way back in when nobody who
 * could set a password can sign in (the only administrator forgot theirs). Sets the account's
 * password as an administrator's `PUT /api/users/:id/password` does, through the same service and
 * policy, and ends every session of theirs. The password comes from the environment, not the command
 * line, so it stays out of the shell's history and the process list. RUNBOOK.md, "Locked out".
 */
import { findUserByEmail } from '../auth/repo.ts';
import { AuthService } from '../auth/service.ts';
import { loadConfig } from '../config.ts';
import { createDb } from '../infra/database.ts';
import { AppError } from '../infra/errors.ts';
import { withDatabaseUrl } from './backup-cli.ts';

const OPERATOR = { userId: null, label: 'set-password (operator)', isAdmin: true };

async function main() {
  const email = process.argv[2];
  const password = process.env.NEW_PASSWORD;
  if (!email || !password) {
    console.error("usage: NEW_PASSWORD='<new password>' npm run set-password -- <e-mail>");
    process.exit(2);
  }
  const message = await withDatabaseUrl(async (url) => {
    const { db } = createDb(url, 1);
    try {
      const user = await findUserByEmail(db, email);
      if (!user) return `no account has the e-mail ${email}`;
      const { sessionsEnded } = await new AuthService(db, loadConfig().SESSION_TTL_HOURS).setPasswordFor(
        OPERATOR,
        user.id,
        password,
      );
      console.log(`password set for ${user.email}; ${sessionsEnded} session(s) ended`);
      return null;
    } finally {
      await db.destroy();
    }
  });
  if (message) {
    console.error(message);
    process.exit(1);
  }
}

main().catch((err) => {
  // A refusal by the policy names the field; here the field is the variable.
  if (err instanceof AppError) console.error(err.message.replace(/^newPassword: /, 'NEW_PASSWORD: '));
  else console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof AppError ? 2 : 1);
});
