/**
 * What the host hands a plugin: the verify context (secret, config, HMAC and constant-time compare
 * from node:crypto), a logger bound to the installation, the read-only ticket lookup, and a guard
 * that runs plugin code with a time limit.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { PluginLogger, TicketView } from '../../protocol/plugin.ts';
import * as cardRepo from '../cards/repo.ts';
import type { Db } from '../infra/database.ts';
import type { CardRow, PluginTicketRow } from '../infra/schema.ts';
import * as repo from './repo.ts';

/** One implementation for the host and the plugin test kit. */
export { verifyContext } from '../../protocol/plugin/verify-context.ts';

export function pluginLogger(log: FastifyBaseLogger, bindings: Record<string, unknown>): PluginLogger {
  const child = log.child({ ...bindings, component: 'plugin' });
  return {
    info: (message, data) => child.info(data ?? {}, message),
    warn: (message, data) => child.warn(data ?? {}, message),
    error: (message, data) => child.error(data ?? {}, message),
  };
}

export function ticketFinder(db: Db, boardId: string, pluginId: string) {
  return async (dedupKey: string): Promise<TicketView | null> => {
    const t = await repo.findTicket(db, boardId, pluginId, dedupKey);
    if (!t) return null;
    const card = await cardRepo.findCard(db, boardId, t.card_id);
    if (!card) return null;
    return ticketView(t, card);
  };
}

/** `ctx.tickets.findByCardKey`: this plugin's ticket on a card of the board named by its key. */
export function cardKeyFinder(db: Db, boardId: string, pluginId: string) {
  return async (cardKey: string): Promise<TicketView | null> => {
    const found = await repo.findTicketByCardKey(db, boardId, pluginId, cardKey.trim().toUpperCase());
    return found ? ticketView(found.ticket, found.card) : null;
  };
}

function ticketView(
  t: Pick<PluginTicketRow, 'dedup_key' | 'status' | 'occurrences' | 'last_seen_at'>,
  card: Pick<CardRow, 'id' | 'key' | 'title' | 'done_at'>,
): TicketView {
  return {
    cardId: card.id,
    key: card.key,
    title: card.title,
    dedupKey: t.dedup_key,
    status: t.status as TicketView['status'],
    resolved: card.done_at !== null,
    occurrences: t.occurrences,
    lastSeenAt: t.last_seen_at.toISOString(),
  };
}

export class PluginTimeout extends Error {}

/** Runs plugin code; a throw (sync or async) rejects, and so does not settling within `ms`. */
export async function runWithTimeout<T>(work: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PluginTimeout(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A handler may return nothing or `{ summary }`; anything else is a plugin bug. */
export function checkHandlerResult(result: unknown): string | null {
  if (result === undefined || result === null) return null;
  if (typeof result === 'object' && !Array.isArray(result)) {
    const keys = Object.keys(result);
    const summary = (result as { summary?: unknown }).summary;
    if (keys.every((k) => k === 'summary') && (summary === undefined || typeof summary === 'string')) {
      return summary === undefined ? null : summary.slice(0, 500);
    }
  }
  const shown = JSON.stringify(result)?.slice(0, 120) ?? String(result);
  throw new Error(`the plugin returned ${shown}; a handler returns nothing or { summary: string }`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
