/** The release routes the release page edits through (server/releases/routes.ts), over the app's client. */
import type {
  FeedToken,
  Release,
  ReleaseRuns,
  ReleaseSettings,
  ReleaseSettingsInput,
  UpdateReleaseInput,
} from '../../../../protocol/releases.ts';
import type { Api } from '../api.ts';

const releases = (boardId: string) => `/api/boards/${boardId}/releases`;

export const getRelease = (api: Api, boardId: string, releaseId: string) =>
  api.request<Release>('GET', `${releases(boardId)}/${releaseId}`);
export const updateRelease = (api: Api, boardId: string, releaseId: string, input: UpdateReleaseInput) =>
  api.request<Release>('PATCH', `${releases(boardId)}/${releaseId}`, input);
export const generateNotes = (api: Api, boardId: string, releaseId: string) =>
  api.request<Release>('POST', `${releases(boardId)}/${releaseId}/notes/generate`);
export const createFeedToken = (api: Api, boardId: string) =>
  api.request<FeedToken>('POST', `${releases(boardId)}/feed-token`);
export const getReleaseSettings = (api: Api, boardId: string) =>
  api.request<ReleaseSettings>('GET', `/api/boards/${boardId}/release-settings`);
export const putReleaseSettings = (api: Api, boardId: string, input: ReleaseSettingsInput) =>
  api.request<ReleaseSettings>('PUT', `/api/boards/${boardId}/release-settings`, input);
export const getReleaseRuns = (api: Api, boardId: string, releaseId: string) =>
  api.request<ReleaseRuns>('GET', `${releases(boardId)}/${releaseId}/runs`);
