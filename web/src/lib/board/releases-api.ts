/** The release routes (server/releases/routes.ts), over the app's one HTTP client. */

import type { Hypercare } from '../../../../protocol/hypercare.ts';
import type {
  CreateReleaseInput,
  ReadinessInput,
  Release,
  ReleaseScopeInput,
  VerdictInput,
} from '../../../../protocol/releases.ts';
import type {
  Warranty,
  WarrantyMeasurementInput,
  WarrantyRequirementInput,
} from '../../../../protocol/warranty.ts';
import type { Api } from '../api.ts';

const base = (boardId: string) => `/api/boards/${boardId}/releases`;

export const listReleases = (api: Api, boardId: string) => api.request<Release[]>('GET', base(boardId));
export const createRelease = (api: Api, boardId: string, input: CreateReleaseInput) =>
  api.request<Release>('POST', base(boardId), input);
export const changeScope = (api: Api, boardId: string, releaseId: string, input: ReleaseScopeInput) =>
  api.request<Release>('POST', `${base(boardId)}/${releaseId}/scope`, input);
export const setReadiness = (api: Api, boardId: string, releaseId: string, input: ReadinessInput) =>
  api.request<Release>('POST', `${base(boardId)}/${releaseId}/readiness`, input);
export const recordManualTest = (
  api: Api,
  boardId: string,
  releaseId: string,
  input: { name: string; passed: boolean },
) => api.request<Release>('POST', `${base(boardId)}/${releaseId}/firebreak/tests`, input);
export const approveFirebreak = (api: Api, boardId: string, releaseId: string) =>
  api.request<Release>('POST', `${base(boardId)}/${releaseId}/firebreak/approve`);
export const giveVerdict = (api: Api, boardId: string, releaseId: string, input: VerdictInput) =>
  api.request<Release>('POST', `${base(boardId)}/${releaseId}/verdicts`, input);

// ---- hyper-care (server/hypercare/routes.ts) ----
const care = (boardId: string, releaseId: string) => `${base(boardId)}/${releaseId}/hypercare`;

export const getHypercare = (api: Api, boardId: string, releaseId: string) =>
  api.request<Hypercare>('GET', care(boardId, releaseId));
export const tickHypercare = (api: Api, boardId: string, releaseId: string, key: string, done: boolean) =>
  api.request<Hypercare>('POST', `${care(boardId, releaseId)}/checklist`, { key, done });
export const submitHandover = (api: Api, boardId: string, releaseId: string) =>
  api.request<Hypercare>('POST', `${care(boardId, releaseId)}/handover/submit`, {});
export const acceptHandover = (api: Api, boardId: string, releaseId: string) =>
  api.request<Hypercare>('POST', `${care(boardId, releaseId)}/handover/accept`, {});
export const rejectHandover = (api: Api, boardId: string, releaseId: string, reason: string) =>
  api.request<Hypercare>('POST', `${care(boardId, releaseId)}/handover/reject`, { reason });
export const extendHypercare = (
  api: Api,
  boardId: string,
  releaseId: string,
  endsAt: string,
  reason: string,
) => api.request<Hypercare>('POST', `${care(boardId, releaseId)}/extend`, { endsAt, reason });
export const exitHypercare = (api: Api, boardId: string, releaseId: string, reason: string) =>
  api.request<Hypercare>('POST', `${care(boardId, releaseId)}/exit`, { reason });

/** The board's running hyper-care (what the cards' badges follow). */
export const runningHypercare = (api: Api, boardId: string) =>
  api.request<Hypercare[]>('GET', `/api/boards/${boardId}/hypercare`);

// ---- warranty requirements (server/hypercare/warranty-routes.ts) ----
const warranty = (boardId: string, releaseId: string) => `${base(boardId)}/${releaseId}/warranty`;

export const getWarranty = (api: Api, boardId: string, releaseId: string) =>
  api.request<Warranty>('GET', warranty(boardId, releaseId));
export const addWarrantyRequirement = (
  api: Api,
  boardId: string,
  releaseId: string,
  input: WarrantyRequirementInput,
) => api.request<Warranty>('POST', `${warranty(boardId, releaseId)}/requirements`, input);
export const removeWarrantyRequirement = (
  api: Api,
  boardId: string,
  releaseId: string,
  requirementId: string,
) => api.request<Warranty>('DELETE', `${warranty(boardId, releaseId)}/requirements/${requirementId}`);
export const measureWarranty = (
  api: Api,
  boardId: string,
  releaseId: string,
  requirementId: string,
  input: WarrantyMeasurementInput,
) =>
  api.request<Warranty>(
    'POST',
    `${warranty(boardId, releaseId)}/requirements/${requirementId}/measurements`,
    input,
  );
