/**
 * What a plugin module default-exports: its manifest (id, name, version, the API version it
 * targets, its config schema), its inbound webhooks and its board-event hooks. `definePlugin` is an
 * identity function that gives the module its types: the config type comes from `configSchema` and
 * each webhook's payload type from its `payloadSchema`, so handlers need no casts.
 */
import type { Static, TSchema } from 'typebox';
import type { HandlerResult, WebhookContext } from './context.ts';
import type { BoardHooks } from './hooks.ts';
import type { InboundRequest, VerifyContext } from './inbound.ts';

/** The plugin API version this server speaks. A plugin declares the one it targets. */
export const PLUGIN_API_VERSION = 1 as const;

/** The payload type a webhook's schema gives its handler; `unknown` without a schema. */
export type PayloadOf<Schema> = Schema extends TSchema ? Static<Schema> : unknown;

/**
 * One inbound webhook. `Schema` is the TypeBox schema of the parsed body (`payloadSchema`): `handle`
 * and `deliveryId` receive `Static<Schema>`. Without a `payloadSchema` the payload is `unknown`.
 */
export interface WebhookHandler<Config, Schema = TSchema> {
  description?: string;
  /**
   * Runs first, on the raw bytes, for every request. True accepts; false or a reason refuses with
   * 401 (the request is still logged). Never re-serialise JSON to check a signature.
   */
  verify(req: InboundRequest, ctx: VerifyContext<Config>): boolean | string;
  /** Raw body → payload. Throw PayloadError for a 400. Default: JSON. */
  parse?(req: InboundRequest): unknown;
  /** Checked after parsing; a mismatch is a 400 naming the field. Gives `handle` its payload type. */
  payloadSchema?: Schema & TSchema;
  /** The tool's id for this delivery (header or payload). Default: SHA-256 of the body. */
  deliveryId?(req: InboundRequest, payload: PayloadOf<Schema>): string | undefined;
  /** Turns a verified, stored payload into ticket actions. Runs from the queue, with a timeout. */
  handle(payload: PayloadOf<Schema>, ctx: WebhookContext<Config>): HandlerResult | Promise<HandlerResult>;
}

/** Webhooks by name, each with its own payload schema (`Payloads` maps a name to that schema's type). */
export type WebhookHandlers<Config, Payloads extends Record<string, unknown>> = {
  [Name in keyof Payloads]: WebhookHandler<Config, Payloads[Name]>;
};

export interface PluginDefinition<
  Config extends TSchema = TSchema,
  Payloads extends Record<string, unknown> = Record<string, TSchema>,
> {
  /** lower-case letters, digits and dashes; unique among loaded plugins */
  id: string;
  name: string;
  version: string;
  apiVersion: typeof PLUGIN_API_VERSION;
  description?: string;
  /** TypeBox schema of the installation config; defaults are filled in, unknown fields refused */
  configSchema: Config;
  /** inbound webhooks by name; the first is served at /hooks/<installation>, each at /hooks/<installation>/<name> */
  webhooks?: WebhookHandlers<Static<Config>, Payloads>;
  hooks?: BoardHooks<Static<Config>>;
}

/** Identity: gives a plugin module its types. `export default definePlugin({...})`. */
export function definePlugin<
  Config extends TSchema,
  Payloads extends Record<string, unknown> = Record<never, unknown>,
>(plugin: PluginDefinition<Config, Payloads>): PluginDefinition<Config, Payloads> {
  return plugin;
}
