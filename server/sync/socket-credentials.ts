/**
 * Keeps a socket to the rights its credential still gives. At connect a socket joins rooms naming
 * what signed it in (`session:<id>` or `token:<id>`) and its user (`user:<id>`): ending that session
 * or revoking that token disconnects its sockets on every instance (the adapter carries
 * `disconnectSockets` across), and board membership changes find the user's sockets by their room.
 * A socket is cut when its session expires, and every frame it sends is answered on a credential
 * the database confirmed at most RECHECK_MS before: the safety net should a revocation's message
 * between instances be lost, without a query per frame on a busy socket.
 */
import type { AuthService, Credential, SignedIn } from '../auth/service.ts';

export const RECHECK_MS = 1000;
/** setTimeout's longest delay; a later expiry re-arms the timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const credentialRoom = (c: Pick<Credential, 'kind' | 'id'>) => `${c.kind}:${c.id}`;
export const userRoom = (userId: string) => `user:${userId}`;

const ENDED = {
  ok: false,
  error: 'UNAUTHENTICATED',
  message: 'your session has ended or your API token was revoked: sign in again',
} as const;
const UNCHECKED = {
  ok: false,
  error: 'INTERNAL',
  message: 'could not check your sign-in; try again',
} as const;

/** The part of a socket.io server socket this module uses. */
interface GuardedSocket {
  join(rooms: string[]): unknown;
  use(fn: (packet: unknown[], next: (err?: Error) => void) => void): unknown;
  disconnect(close?: boolean): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

/** How a frame is answered when its credential ended or could not be checked. */
type Refusal = typeof ENDED | typeof UNCHECKED;

/** What the guard leaves to a frame's handler (see `checkedByHandler`). */
export interface SocketGuard {
  /**
   * True when the socket's credential is still good (re-checked if due). Otherwise the frame is
   * answered through `reply` (ended, or could not check) and, when ended, the socket disconnected.
   */
  confirm(reply: (r: Refusal) => void): Promise<boolean>;
}

/**
 * Tags the socket and guards its frames. `onRefresh` gets the user as the database has it at each
 * re-check (a changed name or administrator flag), so handlers act as the user is now.
 *
 * Frames named in `checkedByHandler` pass unchecked, and their handler calls `confirm` before it
 * acts: a board join is admitted first and re-checked after, so a storm of joins refused at once
 * (join-admission.ts) costs no database query each; a refusal tells nothing but "come back later".
 */
export function guardSocket(
  socket: GuardedSocket,
  signedIn: SignedIn,
  auth: AuthService,
  onRefresh: (fresh: SignedIn) => void,
  checkedByHandler: ReadonlySet<string> = new Set(),
): SocketGuard {
  let credential = signedIn.credential;
  let checkedAt = Date.now();
  let checking: Promise<boolean> | null = null;
  let expiry: NodeJS.Timeout | undefined;

  const expired = () => credential.expiresAt !== null && Date.now() >= credential.expiresAt.getTime();
  const armExpiry = () => {
    clearTimeout(expiry);
    if (!credential.expiresAt) return;
    const left = Math.min(MAX_TIMER_MS, Math.max(0, credential.expiresAt.getTime() - Date.now()));
    expiry = setTimeout(() => (expired() ? socket.disconnect(true) : armExpiry()), left);
    expiry.unref();
  };

  const recheck = (): Promise<boolean> => {
    const started = Date.now();
    checking ??= auth
      .recheck(credential)
      .then((fresh) => {
        if (!fresh) return false;
        credential = fresh.credential;
        checkedAt = started;
        armExpiry();
        onRefresh(fresh);
        return true;
      })
      .finally(() => {
        checking = null;
      });
    return checking;
  };
  const stillValid = async () => !expired() && (Date.now() - checkedAt < RECHECK_MS || (await recheck()));

  socket.join([credentialRoom(credential), userRoom(signedIn.user.id)]);
  armExpiry();
  socket.on('disconnect', () => clearTimeout(expiry));
  // A revocation committed between the sign-in lookup and joining the rooms above found no socket
  // to cut: look once more now that the socket can be found.
  void recheck().then(
    (valid) => valid || socket.disconnect(true),
    () => {},
  );

  const confirm = (reply: (r: Refusal) => void): Promise<boolean> =>
    stillValid().then(
      (valid) => {
        if (valid) return true;
        reply(ENDED);
        socket.disconnect(true);
        return false;
      },
      () => {
        reply(UNCHECKED);
        return false;
      },
    );

  socket.use((packet, next) => {
    if (checkedByHandler.has(packet[0] as string)) return next();
    const ack = packet.at(-1);
    void confirm(typeof ack === 'function' ? (ack as (r: Refusal) => void) : () => {}).then(
      (valid) => valid && next(),
    );
  });
  return { confirm };
}
