/**
 * Client-side routes on the History API: `/` (boards), `/boards/<id>` (backlog),
 * `/boards/<id>/<view>`, `/boards/<id>/releases/<releaseId>` (one release), `/admin/flags` (feature flags, site administrators)
 * and `/portal/<boardId>[/requests/<requestId>]` (a board's request portal, for requesters). The server
 * answers every /boards/*, /admin/* and /portal/* path with the app shell. Any board view takes
 * `?card=<KEY-12>`: the card open in the side panel, so a card can be linked, bookmarked and reached
 * with back and forward.
 */

export const BOARD_VIEWS = ['backlog', 'sprint', 'kanban', 'releases', 'reports', 'integrations'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];

export type Route =
  | { name: 'boards' }
  | { name: 'board'; boardId: string; view: BoardView; releaseId?: string; cardKey?: string }
  | { name: 'flags' }
  | { name: 'portal'; boardId: string; requestId: string | null };

export const FLAGS_PATH = '/admin/flags';

export function parseRoute(pathname: string, search = ''): Route {
  const m = /^\/boards\/([0-9a-f-]{36})(?:\/([a-z]+)(?:\/([0-9a-f-]{36}))?)?\/?$/i.exec(pathname);
  if (m?.[1]) {
    const view = (BOARD_VIEWS as readonly string[]).includes(m[2] ?? '') ? (m[2] as BoardView) : 'backlog';
    const card = new URLSearchParams(search).get('card')?.trim().toUpperCase();
    const cardKey = card && /^[A-Z0-9]+-\d+$/.test(card) ? { cardKey: card } : {};
    if (view === 'releases' && m[3])
      return { name: 'board', boardId: m[1], view, releaseId: m[3], ...cardKey };
    return { name: 'board', boardId: m[1], view, ...cardKey };
  }
  if (/^\/admin\/flags\/?$/.test(pathname)) return { name: 'flags' };
  const p = /^\/portal\/([0-9a-f-]{36})(?:\/requests\/([0-9a-f-]{36}))?\/?$/i.exec(pathname);
  if (p?.[1]) return { name: 'portal', boardId: p[1], requestId: p[2] ?? null };
  return { name: 'boards' };
}

/** The view whose first screen an opening asks for first (the other views show no card list at once). */
export const firstScreenView = (view: BoardView): 'backlog' | 'sprint' | 'kanban' =>
  view === 'sprint' || view === 'kanban' ? view : 'backlog';

export function boardPath(boardId: string, view: BoardView = 'backlog'): string {
  return view === 'backlog' ? `/boards/${boardId}` : `/boards/${boardId}/${view}`;
}

/** A board's request portal (requesters), optionally with one of their requests open. */
export const portalPath = (boardId: string, requestId?: string | null) =>
  requestId ? `/portal/${boardId}/requests/${requestId}` : `/portal/${boardId}`;

/** One release's page on the board's Releases view. */
export const releasePath = (boardId: string, releaseId: string) => `/boards/${boardId}/releases/${releaseId}`;

/** `path` (a board view's path, with or without a query) with `?card=<key>`, or without any card. */
export function withCard(path: string, cardKey: string | null): string {
  const url = new URL(path, 'http://x');
  if (cardKey) url.searchParams.set('card', cardKey);
  else url.searchParams.delete('card');
  return url.pathname + url.search;
}

/** History state of an entry that only added a card to the entry before it: closing the card goes back. */
export interface CardEntry {
  openedCardFrom: string;
}

export class Router {
  route = $state<Route>(parseRoute(location.pathname, location.search));
  // history.back() lands later (popstate): a second close before then must not go back twice.
  #goingBack = false;

  constructor() {
    addEventListener('popstate', () => {
      this.#goingBack = false;
      this.route = parseRoute(location.pathname, location.search);
    });
  }

  /** The current path with its query, as `navigate` takes it. */
  get here(): string {
    return location.pathname + location.search;
  }

  navigate(
    path: string,
    { replace = false, state = null }: { replace?: boolean; state?: unknown } = {},
  ): void {
    if (path === this.here) return;
    if (replace) history.replaceState(state, '', path);
    else history.pushState(state, '', path);
    const url = new URL(path, location.origin);
    this.route = parseRoute(url.pathname, url.search);
  }

  /** Show this card in the side panel of the current board view (null closes it). */
  showCard(cardKey: string | null): void {
    const to = withCard(this.here, cardKey);
    if (to === this.here) return;
    const state = history.state as Partial<CardEntry> | null;
    if (cardKey === null) {
      if (this.#goingBack) return;
      // The card was opened from this very page: closing it is going back, so forward reopens it.
      if (state?.openedCardFrom === to) {
        this.#goingBack = true;
        history.back();
      } else this.navigate(to);
    } else if (this.route.name === 'board' && this.route.cardKey) {
      // Another card in place of the open one: the same entry, so closing still goes back to the page.
      this.navigate(to, { replace: true, state });
    } else {
      this.navigate(to, { state: { openedCardFrom: this.here } satisfies CardEntry });
    }
  }
}
