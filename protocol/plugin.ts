/**
 * The plugin API, written once: what a plugin module default-exports (`definePlugin`), the narrow
 * context its handlers receive, the ticket actions they can ask for, the standard routing and
 * lifecycle config every ticket-raising plugin shares, and the HTTP shapes of installations and
 * deliveries. Plugins import only this module (and, in their tests, protocol/plugin-testkit.ts);
 * nothing here does I/O. The parts live in protocol/plugin/, one file per concern; this file is the
 * one entry point.
 *
 * How a plugin runs:
 * 1. An admin or product owner installs it on a board with a config (checked against `configSchema`)
 *    and gets an inbound URL `/hooks/<installation id>` and a generated secret.
 * 2. A tool posts to that URL. `verify` checks the raw bytes (401 if it says no), `parse` and
 *    `payloadSchema` check the body (400), the delivery is stored, then acknowledged (202).
 * 3. From a durable queue, `handle` turns the payload into ticket actions through `ctx.tickets`
 *    (and deployment or check runs on a release through `ctx.releases`).
 *    The host applies them in one transaction, attributed to `plugin:<id>`. A throw, a timeout or an
 *    invalid result fails the delivery; it is retried with backoff and can be replayed.
 * 4. `hooks` run after board events (a card created, moved, resolved, ...), with the same context.
 */
export { type Static, type TSchema, Type } from 'typebox';
export * from './plugin/config.ts';
export * from './plugin/context.ts';
export * from './plugin/definition.ts';
export * from './plugin/hooks.ts';
export * from './plugin/http.ts';
export * from './plugin/inbound.ts';
export * from './plugin/releases.ts';
export * from './plugin/tickets.ts';
