/** The feature-flag routes, over the app's one HTTP client (its CSRF token and error shape). */
import type {
  EvaluatedFlags,
  Flag,
  FlagAuditEntry,
  SetFlagOverrideBody,
} from '../../../../protocol/flags.ts';
import type { Api } from '../api.ts';

export const evaluatedFlags = (api: Api, boardId: string | null) =>
  api.request<EvaluatedFlags>('GET', `/api/flags/evaluated${boardId ? `?boardId=${boardId}` : ''}`);
export const listFlags = (api: Api) => api.request<Flag[]>('GET', '/api/flags');
export const setFlagOverride = (api: Api, key: string, body: SetFlagOverrideBody) =>
  api.request<Flag>('PUT', `/api/flags/${encodeURIComponent(key)}/overrides`, body);
export const flagAudit = (api: Api, limit = 100) =>
  api.request<FlagAuditEntry[]>('GET', `/api/flags/audit?limit=${limit}`);
