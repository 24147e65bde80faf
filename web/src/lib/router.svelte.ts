/**
 * Client-side routes on the History API: `/` (boards), `/boards/<id>` (backlog) and
 * `/boards/<id>/<view>`. The server answers every /boards/* path with the app shell.
 */

export const BOARD_VIEWS = ['backlog', 'sprint', 'kanban', 'reports', 'integrations'] as const;
export type BoardView = (typeof BOARD_VIEWS)[number];

export type Route = { name: 'boards' } | { name: 'board'; boardId: string; view: BoardView };

export function parseRoute(pathname: string): Route {
  const m = /^\/boards\/([0-9a-f-]{36})(?:\/([a-z]+))?\/?$/i.exec(pathname);
  if (m?.[1]) {
    const view = (BOARD_VIEWS as readonly string[]).includes(m[2] ?? '') ? (m[2] as BoardView) : 'backlog';
    return { name: 'board', boardId: m[1], view };
  }
  return { name: 'boards' };
}

export function boardPath(boardId: string, view: BoardView = 'backlog'): string {
  return view === 'backlog' ? `/boards/${boardId}` : `/boards/${boardId}/${view}`;
}

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
