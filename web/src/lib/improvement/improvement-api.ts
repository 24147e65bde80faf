/** The review-and-improve routes (server/improvement/routes.ts), over the app's one HTTP client. */
import type {
  CreateItemInput,
  CreateReviewInput,
  ImprovementItem,
  ImprovementOverview,
  ImprovementSettings,
  ItemStatusInput,
  Review,
  ReviewWarranty,
  UpdateItemInput,
  UpdateReviewInput,
} from '../../../../protocol/improvement.ts';
import type { Api } from '../api.ts';

const base = (boardId: string) => `/api/boards/${boardId}/improvement`;

export const overview = (api: Api, boardId: string) => api.request<ImprovementOverview>('GET', base(boardId));
export const putSettings = (api: Api, boardId: string, cadenceWeeks: number) =>
  api.request<ImprovementSettings>('PUT', `${base(boardId)}/settings`, { cadenceWeeks });
export const createReview = (api: Api, boardId: string, input: CreateReviewInput) =>
  api.request<Review>('POST', `${base(boardId)}/reviews`, input);
export const updateReview = (api: Api, boardId: string, reviewId: string, input: UpdateReviewInput) =>
  api.request<Review>('PATCH', `${base(boardId)}/reviews/${reviewId}`, input);
export const deleteReview = (api: Api, boardId: string, reviewId: string) =>
  api.request<void>('DELETE', `${base(boardId)}/reviews/${reviewId}`);
export const createItem = (api: Api, boardId: string, input: CreateItemInput) =>
  api.request<ImprovementItem>('POST', `${base(boardId)}/items`, input);
export const updateItem = (api: Api, boardId: string, itemId: string, input: UpdateItemInput) =>
  api.request<ImprovementItem>('PATCH', `${base(boardId)}/items/${itemId}`, input);
export const moveItem = (api: Api, boardId: string, itemId: string, input: ItemStatusInput) =>
  api.request<ImprovementItem>('POST', `${base(boardId)}/items/${itemId}/status`, input);
export const deleteItem = (api: Api, boardId: string, itemId: string) =>
  api.request<void>('DELETE', `${base(boardId)}/items/${itemId}`);
export const reviewWarranty = (api: Api, boardId: string, reviewId: string) =>
  api.request<ReviewWarranty>('GET', `${base(boardId)}/reviews/${reviewId}/warranty`);
