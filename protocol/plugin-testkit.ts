/**
 * The plugin test kit: what a plugin's tests import besides the plugin API (protocol/plugin.ts).
 * It runs a plugin's `verify`, `parse` and `handle` the way the host does, without a server:
 * `verifyContext` is the host's own (same HMAC and constant-time compare), `testWebhookContext`
 * records the ticket actions and release reports a handler asks for (validated like the host validates them),
 * `configWithDefaults` gives the config an install would store, `inboundRequest` builds the request
 * `verify` and `parse` see, and `parsePayload` parses and checks it against `payloadSchema` as the
 * host does before storing a delivery. A plugin's tests never import server/ (npm run lint checks it).
 * To test a plugin through the real endpoint and database, see server/plugin-host/test-tools.ts.
 */
import { Value } from 'typebox/value';
import { parseFormBody } from './plugin/form-body.ts';
import {
  type InboundRequest,
  PayloadError,
  type PayloadOf,
  type ReleaseReport,
  recordActions,
  type TicketAction,
  type TicketView,
  type WebhookContext,
  type WebhookHandler,
} from './plugin.ts';

export { parseFormBody } from './plugin/form-body.ts';
export { verifyContext } from './plugin/verify-context.ts';
export { configWithDefaults } from './plugin.ts';

/** A request as the host hands it to `verify` and `parse`: raw bytes, lower-case header names. */
export function inboundRequest(
  body: Uint8Array | string,
  headers: Record<string, string> = {},
  contentType = 'application/json',
): InboundRequest {
  return {
    headers: { 'content-type': contentType, ...headers },
    query: {},
    rawBody: typeof body === 'string' ? new TextEncoder().encode(body) : body,
    contentType,
  };
}

/**
 * A form-posted request (multipart or urlencoded, as mail gateways post) as the host hands it to
 * `verify` and `parse`: the raw bytes and the form the host parses from them.
 */
export async function inboundFormRequest(
  body: Uint8Array | string,
  contentType: string,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
): Promise<InboundRequest> {
  const rawBody = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const form = await parseFormBody(contentType, rawBody);
  return {
    headers: { 'content-type': contentType, ...headers },
    query,
    rawBody,
    contentType,
    ...(form ? { form } : {}),
  };
}

/**
 * The payload `handle` gets for a request, as the host makes it before storing a delivery: `parse`
 * (default: JSON), then the `payloadSchema` check. A mismatch throws a PayloadError naming the field
 * (the host answers 400 with it).
 */
export function parsePayload<Config, Schema>(
  webhook: WebhookHandler<Config, Schema>,
  req: InboundRequest,
): PayloadOf<Schema> {
  const payload: unknown = webhook.parse
    ? webhook.parse(req)
    : JSON.parse(new TextDecoder().decode(req.rawBody));
  if (webhook.payloadSchema && !Value.Check(webhook.payloadSchema, payload)) {
    const first = [...Value.Errors(webhook.payloadSchema, payload)][0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body';
    throw new PayloadError(`${field}: ${first?.message ?? 'does not match the expected payload'}`, field);
  }
  // Checked against the schema just above: this is the type the schema describes.
  return payload as PayloadOf<Schema>;
}

/** A webhook context for unit tests of a plugin: no database, the actions land in `actions`. */
export function testWebhookContext<Config>(
  config: Config,
  options: {
    find?: (dedupKey: string) => Promise<TicketView | null>;
    findByCardKey?: (cardKey: string) => Promise<TicketView | null>;
    headers?: Record<string, string>;
  } = {},
): WebhookContext<Config> & { actions: TicketAction[]; releaseReports: ReleaseReport[] } {
  const recorder = recordActions(options.find, options.findByCardKey);
  const quiet = () => {};
  return {
    config,
    installation: {
      id: '00000000-0000-4000-8000-000000000001',
      boardId: '00000000-0000-4000-8000-000000000002',
    },
    delivery: {
      id: '00000000-0000-4000-8000-000000000003',
      receivedAt: new Date(0).toISOString(),
      headers: options.headers ?? {},
    },
    log: { info: quiet, warn: quiet, error: quiet },
    tickets: recorder.tickets,
    releases: recorder.releases,
    ignore: recorder.ignore,
    actions: recorder.actions,
    releaseReports: recorder.releaseReports,
  };
}
