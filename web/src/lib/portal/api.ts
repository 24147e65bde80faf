/** The request portal's routes, over the app's one HTTP client (its CSRF token and error shape). */
import type {
  CardRequest,
  CreateRequestInput,
  PortalBoard,
  PortalComment,
  PortalRequest,
  PortalRequestDetail,
  RateRequestInput,
  Requester,
} from '../../../../protocol/portal.ts';
import type { Api } from '../api.ts';

const base = (boardId: string) => `/api/portal/boards/${boardId}`;

export const portalBoards = (api: Api) => api.request<PortalBoard[]>('GET', '/api/portal/boards');
export const portalBoard = (api: Api, boardId: string) => api.request<PortalBoard>('GET', base(boardId));
export const myRequests = (api: Api, boardId: string) =>
  api.request<PortalRequest[]>('GET', `${base(boardId)}/requests`);
export const fileRequest = (api: Api, boardId: string, input: CreateRequestInput) =>
  api.request<PortalRequest>('POST', `${base(boardId)}/requests`, input);
export const requestDetail = (api: Api, boardId: string, requestId: string) =>
  api.request<PortalRequestDetail>('GET', `${base(boardId)}/requests/${requestId}`);
export const commentOn = (api: Api, boardId: string, requestId: string, body: string) =>
  api.request<PortalComment>('POST', `${base(boardId)}/requests/${requestId}/comments`, { body });
export const rate = (api: Api, boardId: string, requestId: string, input: RateRequestInput) =>
  api.request<PortalRequest>('POST', `${base(boardId)}/requests/${requestId}/rating`, input);

// ---- the team's side: who may use a board's portal
export const requesters = (api: Api, boardId: string) =>
  api.request<Requester[]>('GET', `/api/boards/${boardId}/requesters`);
export const addRequester = (api: Api, boardId: string, email: string) =>
  api.request<Requester>('PUT', `/api/boards/${boardId}/requesters`, { email });
export const removeRequester = (api: Api, boardId: string, userId: string) =>
  api.request<void>('DELETE', `/api/boards/${boardId}/requesters/${userId}`);
export const cardRequest = (api: Api, boardId: string, cardId: string) =>
  api.request<CardRequest>('GET', `/api/boards/${boardId}/cards/${cardId}/request`);
