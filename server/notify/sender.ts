/**
 * Sending one notification: the URL rules for targets (http/https only) and the POST itself, with a
 * timeout and a verdict on whether a failure is worth retrying.
 *
 * Server-side request forgery: a board's product owner chooses the URL and our server calls it, so
 * without care a target could probe the server's own network (cloud metadata at 169.254.169.254, an
 * admin port on localhost, a database on 10.x). Unless NOTIFY_ALLOW_PRIVATE is set (tests, a server
 * that really notifies an in-house receiver), private, loopback, link-local and other non-public
 * addresses are refused twice: a literal one when the target is saved, and any address the host
 * name resolves to at the moment of sending (a name that later resolves inwards, DNS rebinding).
 * Redirects are not followed, so a public URL cannot bounce the request inwards either.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { invalid } from '../infra/errors.ts';

const NON_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NON_PUBLIC.addSubnet(net, bits, 'ipv6');

/** True for an address our server must not call on a board member's behalf. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return NON_PUBLIC.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a target URL as typed: 400 naming `url` for anything but a plain http(s) URL to a public host. */
export function checkTargetUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid('url', 'not a URL: give an http:// or https:// address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('url', `only http and https URLs can be notified, not ${url.protocol.replace(':', '')}`);
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isNonPublicAddress(host)))
      throw invalid('url', 'private, loopback and link-local addresses cannot be notified');
  }
  return url.toString();
}

export interface SendOutcome {
  /** 2xx */
  delivered: boolean;
  status: number | null;
  error: string | null;
  /** worth another attempt: a timeout, a connection error, 408, 429 or 5xx */
  retry: boolean;
}

export function outcomeOfStatus(status: number, responseText: string): SendOutcome {
  if (status >= 200 && status < 300) return { delivered: true, status, error: null, retry: false };
  const retry = status === 408 || status === 429 || status >= 500;
  const detail = responseText.trim().slice(0, 300);
  return { delivered: false, status, error: `HTTP ${status}${detail ? `: ${detail}` : ''}`, retry };
}

/** Resolves like dns.lookup, then refuses non-public answers: checked where the socket connects. */
function publicOnlyLookup(
  hostname: string,
  options: object,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    const refused = list.find((a) => isNonPublicAddress(a.address));
    if (refused)
      return callback(
        Object.assign(new Error(`${hostname} resolves to a non-public address (${refused.address})`), {
          code: 'ENONPUBLIC',
        }),
        '',
      );
    if ((options as { all?: boolean }).all) return callback(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
}

/** POSTs `body` to `url`; never throws: every failure is an outcome. */
export function postNotification(
  url: string,
  body: string,
  headers: Record<string, string>,
  { timeoutMs, allowPrivate }: { timeoutMs: number; allowPrivate: boolean },
): Promise<SendOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve({ delivered: false, status: null, error: 'the target URL is not valid', retry: false });
    }
    if (!allowPrivate) {
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && isNonPublicAddress(host))
        return resolve({
          delivered: false,
          status: null,
          error: `${host} is not a public address`,
          retry: false,
        });
    }
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Blendboard-Notifications/1',
          ...headers,
        },
        timeout: timeoutMs,
        ...(allowPrivate ? {} : { lookup: publicOnlyLookup as never }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep the start of the reply for the log; the rest is read and dropped.
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve(outcomeOfStatus(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))),
        );
        res.on('error', (err) =>
          resolve({ delivered: false, status: null, error: err.message, retry: true }),
        );
      },
    );
    // The whole exchange is bounded, not only the idle time between packets.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      resolve({
        delivered: false,
        status: null,
        error: err.message || err.code || 'connection failed',
        retry: err.code !== 'ENONPUBLIC',
      });
    });
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
