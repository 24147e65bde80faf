/**
 * The request portal (issue 20): the wire format a requester sees. A requester is not a board
 * member: they file service requests on a board, see only their own, follow their status, talk with
 * the team in the request's comments and rate it once resolved. The status a requester reads is the
 * card's place on the board, in the requester's words (server/domain/request-status.ts).
 */
import { type Static, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

export const REQUEST_TYPES = ['information', 'change', 'feature'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const RequestTypeSchema = Type.Enum([...REQUEST_TYPES], { description: REQUEST_TYPES.join(' | ') });

export const REQUEST_STATUSES = ['open', 'in_progress', 'waiting_for_you', 'resolved', 'closed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const RequestStatusSchema = Type.Enum([...REQUEST_STATUSES], {
  description:
    'open (not picked up) | in_progress | waiting_for_you (the team waits on the requester) | resolved (done, not rated) | closed (done and rated)',
});

export const RequestRatingSchema = Type.Object({
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.String(),
  ratedAt: Type.String(),
});

export const PortalRequestSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  key: Type.String({ description: 'the card key, e.g. OPS-12' }),
  requestType: RequestTypeSchema,
  title: Type.String(),
  description: Type.String(),
  status: RequestStatusSchema,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  rating: Nullable(RequestRatingSchema),
});
export type PortalRequest = Static<typeof PortalRequestSchema>;

export const PortalCommentSchema = Type.Object({
  id: Uuid,
  author: Type.String(),
  mine: Type.Boolean({ description: 'written by the requester (else by the team)' }),
  body: Type.String(),
  createdAt: Type.String(),
});
export type PortalComment = Static<typeof PortalCommentSchema>;

export const PortalRequestDetailSchema = Type.Object({
  request: PortalRequestSchema,
  comments: Type.Array(PortalCommentSchema),
});
export type PortalRequestDetail = Static<typeof PortalRequestDetailSchema>;

/** A board as its requester sees it: its name and key, nothing of its work. */
export const PortalBoardSchema = Type.Object({ id: Uuid, name: Type.String(), key: Type.String() });
export type PortalBoard = Static<typeof PortalBoardSchema>;

const NotBlank = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

export const CreateRequestBody = Type.Object(
  {
    requestType: RequestTypeSchema,
    title: NotBlank(300),
    description: Type.String({ maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export type CreateRequestInput = Static<typeof CreateRequestBody>;

export const RequestCommentBody = Type.Object({ body: NotBlank(10_000) }, { additionalProperties: false });

export const RateRequestBody = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5, description: '1 (poor) … 5 (excellent)' }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type RateRequestInput = Static<typeof RateRequestBody>;

// ---- The team's side: who may use a board's portal ------------------------------------------------

export const RequesterSchema = Type.Object({
  userId: Uuid,
  name: Type.String(),
  email: Type.String(),
});
export type Requester = Static<typeof RequesterSchema>;

export const AddRequesterBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 320 }) },
  { additionalProperties: false },
);

/** Socket frame to a requester's own sockets only: one of their requests changed; fetch it again. */
export const PortalChangedFrameSchema = Type.Object({ boardId: Uuid, requestId: Uuid });
export type PortalChangedFrame = Static<typeof PortalChangedFrameSchema>;

/** What the team sees of a service request on its card: who asked, for what, and their rating. */
export const CardRequestSchema = Type.Object({
  cardId: Uuid,
  requester: Type.Object({ userId: Uuid, name: Type.String(), email: Type.String() }),
  requestType: RequestTypeSchema,
  status: RequestStatusSchema,
  rating: Nullable(RequestRatingSchema),
});
export type CardRequest = Static<typeof CardRequestSchema>;
