/**
 * The narrow context a plugin's handlers and hooks receive: its installation's config, a logger,
 * the ticket actions it may ask for, the runs it may report on releases, and (for webhooks) the delivery being handled. Passed as an
 * explicit argument, so a plugin reaches only what the context grants.
 */
import type { ReleaseActions } from './releases.ts';
import type { TicketActions } from './tickets.ts';

export interface PluginLogger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface PluginContext<Config> {
  readonly config: Readonly<Config>;
  readonly installation: { readonly id: string; readonly boardId: string };
  readonly log: PluginLogger;
  readonly tickets: TicketActions;
  /** deployment and check runs on the board's releases (protocol/plugin/releases.ts) */
  readonly releases: ReleaseActions;
  /** record why nothing was done (shown in the delivery log) */
  ignore(reason: string): void;
}

export interface WebhookContext<Config> extends PluginContext<Config> {
  readonly delivery: {
    readonly id: string;
    readonly receivedAt: string;
    readonly headers: Readonly<Record<string, string | undefined>>;
  };
}

/** A handler may return nothing or a short summary; anything else fails the delivery. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that simply ends (or returns ctx.ignore()) returns void
export type HandlerResult = void | undefined | { summary?: string };
