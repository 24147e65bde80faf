/**
 * Signing outgoing notifications, Stripe-style: `X-Blendboard-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 is HMAC-SHA256 under the target's secret of `<t>.<raw body>`. The timestamp inside the
 * signed text lets a receiver refuse replays older than a few minutes. `verifySignature` is what a
 * receiver does (docs/notifications.md has the same in a few lines), used by our tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-blendboard-signature';
export const EVENT_HEADER = 'x-blendboard-event';
export const DELIVERY_HEADER = 'x-blendboard-delivery';

const hmac = (secret: string, t: number, body: string | Buffer) =>
  createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

export function signatureHeader(secret: string, body: string, now: Date = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** True when `header` signs `rawBody` under `secret` and is at most `toleranceSeconds` old (or ahead). */
export function verifySignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  { toleranceSeconds = 300, now = new Date() }: { toleranceSeconds?: number; now?: Date } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  return timingSafeEqual(Buffer.from(hmac(secret, t, rawBody), 'hex'), Buffer.from(given, 'hex'));
}
