/** What every screen may reach: created once by App.svelte and handed down through Svelte context. */
import { getContext, setContext } from 'svelte';
import type { Api } from './api.ts';
import type { Inbox } from './inbox/inbox.svelte.ts';
import type { Router } from './router.svelte.ts';
import type { Session } from './session.svelte.ts';
import type { SharedSocket } from './socket.ts';
import type { Theme } from './theme.svelte.ts';
import type { Toasts } from './toasts.svelte.ts';

export interface AppContext {
  api: Api;
  session: Session;
  router: Router;
  toasts: Toasts;
  theme: Theme;
  /** the signed-in person's inbox (the bell in the top bar) */
  inbox: Inbox;
  /** the tab's one real-time connection, leased by the bell, the open board and the portal */
  socket: SharedSocket;
}

const KEY = Symbol('blendboard');

export function provideApp(ctx: AppContext): AppContext {
  return setContext(KEY, ctx);
}

export function useApp(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('useApp() outside <App>');
  return ctx;
}
