/** The HTTP calls of problems and known errors (server/problems/routes.ts), over the app's one Api client. */
import type {
  CardLink,
  CardLinkKind,
  KnownError,
  MajorIncident,
  MajorIncidentReport,
  ProblemRecord,
  TimelineEntry,
  UpdateMajorIncidentInput,
  UpdateProblemInput,
  WorkaroundMatch,
} from '../../../../protocol/problems.ts';
import type { Api } from '../api.ts';

const card = (boardId: string, cardId: string, rest = '') => `/api/boards/${boardId}/cards/${cardId}${rest}`;

export const problemsApi = (api: Api) => ({
  links: (b: string, c: string) => api.request<CardLink[]>('GET', card(b, c, '/links')),
  link: (b: string, c: string, targetId: string, kind: CardLinkKind) =>
    api.request<CardLink[]>('POST', card(b, c, '/links'), { targetId, kind }),
  unlink: (b: string, c: string, targetId: string, kind: CardLinkKind) =>
    api.request<void>('DELETE', card(b, c, `/links/${targetId}?kind=${kind}`)),
  problem: (b: string, c: string) => api.request<ProblemRecord>('GET', card(b, c, '/problem')),
  updateProblem: (b: string, c: string, input: UpdateProblemInput) =>
    api.request<ProblemRecord>('PATCH', card(b, c, '/problem'), input),
  workarounds: (b: string, c: string) => api.request<WorkaroundMatch[]>('GET', card(b, c, '/workarounds')),
  knownErrors: (b: string, q: string) =>
    api.request<KnownError[]>('GET', `/api/boards/${b}/known-errors?q=${encodeURIComponent(q)}`),
  majorIncident: (b: string, c: string) => api.request<MajorIncident>('GET', card(b, c, '/major-incident')),
  updateMajorIncident: (b: string, c: string, input: UpdateMajorIncidentInput) =>
    api.request<MajorIncident>('PATCH', card(b, c, '/major-incident'), input),
  timeline: (b: string, c: string) => api.request<TimelineEntry[]>('GET', card(b, c, '/timeline')),
  report: (b: string, c: string) =>
    api.request<MajorIncidentReport>('GET', card(b, c, '/major-incident/report')),
});
export type ProblemsApi = ReturnType<typeof problemsApi>;
