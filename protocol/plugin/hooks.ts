/**
 * Board-event hooks: which committed board events a plugin can react to, and the context a hook
 * runs with (the event, and its card as it is when the hook runs).
 */
import type { BoardEvent, Card } from '../model.ts';
import type { HandlerResult, PluginContext } from './context.ts';

/**
 * Board events a plugin can hook. `card.resolved`/`card.reopened` are moves into/out of a done column.
 * (`card.released` comes with releases: a hook is listed here only once the host emits it.)
 */
export const BOARD_HOOKS = [
  'card.created',
  'card.updated',
  'card.moved',
  'card.resolved',
  'card.reopened',
  'card.commented',
  'card.deleted',
] as const;
export type BoardHookName = (typeof BOARD_HOOKS)[number];

export interface HookContext<Config> extends PluginContext<Config> {
  readonly event: BoardEvent;
  /**
   * The event's card as it is when the hook runs (null for a deleted card or a board event without
   * one). Read its fields here: a `card.moved` event carries only the card's new place.
   */
  readonly card: Card | null;
}

type HookRun<Config> = (
  event: BoardEvent,
  ctx: HookContext<Config>,
) => HandlerResult | Promise<HandlerResult>;
/** Each hook runs after the event is committed, from the queue, with a timeout; its actions apply in one transaction. */
export interface BoardHooks<Config> {
  'card.created'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.updated'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.moved'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.resolved'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.reopened'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.commented'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
  'card.deleted'?(...args: Parameters<HookRun<Config>>): ReturnType<HookRun<Config>>;
}
