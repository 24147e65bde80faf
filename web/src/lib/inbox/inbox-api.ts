/** The inbox's routes, over the app's one HTTP client (its CSRF token and error shape). */
import type { InboxPage, InboxUnread, Watch } from '../../../../protocol/inbox.ts';
import type { Api } from '../api.ts';

export function inboxPage(
  api: Api,
  opts: { unreadOnly: boolean; before?: string | null },
): Promise<InboxPage> {
  const q = new URLSearchParams();
  if (opts.unreadOnly) q.set('unread', 'true');
  if (opts.before) q.set('before', opts.before);
  return api.request<InboxPage>('GET', `/api/inbox${q.size ? `?${q}` : ''}`);
}
export const unreadCount = (api: Api) => api.request<InboxUnread>('GET', '/api/inbox/unread');
export const markRead = (api: Api, id: string) =>
  api.request<InboxUnread>('POST', `/api/inbox/${id}/read`, {});
export const markAllRead = (api: Api) => api.request<InboxUnread>('POST', '/api/inbox/read', {});

const watchPath = (boardId: string, cardId: string) => `/api/boards/${boardId}/cards/${cardId}/watch`;
export const watching = (api: Api, boardId: string, cardId: string) =>
  api.request<Watch>('GET', watchPath(boardId, cardId));
export const setWatching = (api: Api, boardId: string, cardId: string, watching: boolean) =>
  api.request<Watch>('PUT', watchPath(boardId, cardId), { watching });
