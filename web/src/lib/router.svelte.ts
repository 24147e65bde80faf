/**
 * Client-side routes on the History API: `/` (boards), `/boards/<id>` (backlog),
 * `/boards/<id>/<view>`, `/boards/<id>/releases/<releaseId>` (one release), `/admin/flags` (feature flags, site administrators)
 * and `/portal/<boardId>[/requests/<requestId>]` (a board's request portal, for requesters). The server
 * answers every /boards/*, /admin/* and /portal/* path with the app shell.
 */

export const BOARD_VIEWS = ['backlog', 'sprint', 'kanban', 'releases', 'reports', 'integrations'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];

export type Route =
  | { name: 'boards' }
  | { name: 'board'; boardId: string; view: BoardView; releaseId?: string }
  | { name: 'flags' }
  | { name: 'portal'; boardId: string; requestId: string | null };

export const FLAGS_PATH = '/admin/flags';

export function parseRoute(pathname: string): Route {
  const m = /^\/boards\/([0-9a-f-]{36})(?:\/([a-z]+)(?:\/([0-9a-f-]{36}))?)?\/?$/i.exec(pathname);
  if (m?.[1]) {
    const view = (BOARD_VIEWS as readonly string[]).includes(m[2] ?? '') ? (m[2] as BoardView) : 'backlog';
    if (view === 'releases' && m[3]) return { name: 'board', boardId: m[1], view, releaseId: m[3] };
    return { name: 'board', boardId: m[1], view };
  }
  if (/^\/admin\/flags\/?$/.test(pathname)) return { name: 'flags' };
  const p = /^\/portal\/([0-9a-f-]{36})(?:\/requests\/([0-9a-f-]{36}))?\/?$/i.exec(pathname);
  if (p?.[1]) return { name: 'portal', boardId: p[1], requestId: p[2] ?? null };
  return { name: 'boards' };
}

export function boardPath(boardId: string, view: BoardView = 'backlog'): string {
  return view === 'backlog' ? `/boards/${boardId}` : `/boards/${boardId}/${view}`;
}

/** A board's request portal (requesters), optionally with one of their requests open. */
export const portalPath = (boardId: string, requestId?: string | null) =>
  requestId ? `/portal/${boardId}/requests/${requestId}` : `/portal/${boardId}`;

/** One release's page on the board's Releases view. */
export const releasePath = (boardId: string, releaseId: string) => `/boards/${boardId}/releases/${releaseId}`;

export class Router {
  route = $state<Route>(parseRoute(location.pathname));

  constructor() {
    addEventListener('popstate', () => {
      this.route = parseRoute(location.pathname);
    });
  }

  navigate(path: string, { replace = false } = {}): void {
    if (path === location.pathname) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    this.route = parseRoute(path);
  }
}
