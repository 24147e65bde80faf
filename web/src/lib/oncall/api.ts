/** The on-call routes, over the app's one HTTP client (its CSRF token and error shape). */
import type {
  CoverInput,
  Escalation,
  OnDutyNow,
  Policy,
  PolicyInput,
  Rota,
  RotaInput,
  ServiceHistory,
} from '../../../../protocol/oncall.ts';
import type { Api } from '../api.ts';

export const onDutyNow = (api: Api, boardId: string) =>
  api.request<OnDutyNow[]>('GET', `/api/boards/${boardId}/oncall/now`);
export const listRotas = (api: Api, boardId: string) =>
  api.request<Rota[]>('GET', `/api/boards/${boardId}/oncall/rotas`);
export const createRota = (api: Api, boardId: string, input: RotaInput) =>
  api.request<Rota>('POST', `/api/boards/${boardId}/oncall/rotas`, input);
/** Replaces the rota's name, members and pattern; its overrides and swaps stay. */
export const updateRota = (api: Api, boardId: string, rotaId: string, input: RotaInput) =>
  api.request<Rota>('PUT', `/api/boards/${boardId}/oncall/rotas/${rotaId}`, input);
/** Refused (409, naming the policy) while an escalation policy pages the rota. */
export const deleteRota = (api: Api, boardId: string, rotaId: string) =>
  api.request<null>('DELETE', `/api/boards/${boardId}/oncall/rotas/${rotaId}`);
export const deleteCover = (api: Api, boardId: string, rotaId: string, coverId: string) =>
  api.request<Rota>('DELETE', `/api/boards/${boardId}/oncall/rotas/${rotaId}/covers/${coverId}`);
export const addCover = (api: Api, boardId: string, rotaId: string, input: CoverInput) =>
  api.request<Rota>('POST', `/api/boards/${boardId}/oncall/rotas/${rotaId}/covers`, input);
export const acknowledge = (api: Api, boardId: string, cardId: string) =>
  api.request<Escalation>('POST', `/api/boards/${boardId}/incidents/${cardId}/ack`);
export const listPolicies = (api: Api, boardId: string) =>
  api.request<Policy[]>('GET', `/api/boards/${boardId}/oncall/policies`);
export const createPolicy = (api: Api, boardId: string, input: PolicyInput) =>
  api.request<Policy>('POST', `/api/boards/${boardId}/oncall/policies`, input);
export const updatePolicy = (api: Api, boardId: string, policyId: string, input: PolicyInput) =>
  api.request<Policy>('PUT', `/api/boards/${boardId}/oncall/policies/${policyId}`, input);
export const serviceHistory = (api: Api, boardId: string, userId: string, days = 90) =>
  api.request<ServiceHistory>('GET', `/api/boards/${boardId}/oncall/history/${userId}?days=${days}`);
