/**
 * The context `verify` gets: the installation's secret and config, HMAC-SHA256 keyed with the
 * secret and a constant-time comparison. Used by the plugin host and by the plugin test kit, so a
 * plugin's tests check signatures exactly as the server does. Uses node:crypto, so it is not part of
 * the browser-safe entry point protocol/plugin.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { VerifyContext } from './inbound.ts';

export function verifyContext<Config>(secret: string, config: Config): VerifyContext<Config> {
  return {
    secret,
    config,
    hmacSha256: (data, encoding = 'hex') => createHmac('sha256', secret).update(data).digest(encoding),
    safeEqual: (a, b) => {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length === y.length && timingSafeEqual(x, y);
    },
  };
}
