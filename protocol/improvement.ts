/**
 * Review and improve (issue 17): the wire format of release-procedure reviews and the improvement
 * register. The rules behind it (cadence, overdue, the item status machine, quarters) are pure, in
 * server/domain/improvement.ts.
 */
import { type Static, Type } from 'typebox';
import { DateOnly, Nullable, Uuid } from './model.ts';
import { WarrantyRequirementSchema, WarrantySchema, WarrantyTargetSchema } from './warranty.ts';

export const IMPROVEMENT_STATUSES = ['proposed', 'planned', 'in_progress', 'done', 'dropped'] as const;
export type ImprovementStatus = (typeof IMPROVEMENT_STATUSES)[number];
export const ImprovementStatusSchema = Type.Enum([...IMPROVEMENT_STATUSES], {
  description: 'proposed → planned → in_progress → done, or dropped from any open status',
});

/** "2027-Q1": the quarter an item is due in. */
export const QuarterSchema = Type.String({
  pattern: '^20[0-9]{2}-Q[1-4]$',
  description: 'a quarter, e.g. 2027-Q1',
});

const Text = (maxLength: number, description?: string) =>
  Type.String({ maxLength, ...(description ? { description } : {}) });
/** A measured number: finite, within what a person types. */
const Measured = Type.Number({ minimum: -1e12, maximum: 1e12 });
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Revision = Type.Integer({ minimum: 1, description: 'the revision the change was made on' });

// ---- the review cadence ------------------------------------------------------------------------

export const ImprovementSettingsSchema = Type.Object({
  cadenceWeeks: Type.Integer({ description: 'a review of the release procedure every N weeks' }),
  since: Nullable(DateOnly),
  custom: Type.Boolean({ description: 'false: the board uses the default cadence, not started' }),
});
export type ImprovementSettings = Static<typeof ImprovementSettingsSchema>;

export const ImprovementSettingsBody = Type.Object(
  { cadenceWeeks: Type.Integer({ minimum: 1, maximum: 52, description: 'every N weeks, 1 to 52' }) },
  { additionalProperties: false },
);
export type ImprovementSettingsInput = Static<typeof ImprovementSettingsBody>;

export const ReviewScheduleSchema = Type.Object({
  cadenceWeeks: Type.Integer(),
  lastHeldAt: Nullable(Type.String({ format: 'date-time' })),
  daysSinceLastReview: Nullable(Type.Integer()),
  nextScheduledOn: Nullable(DateOnly),
  cadenceDueOn: Nullable(DateOnly),
  nextDueOn: Nullable(DateOnly),
  overdue: Type.Boolean(),
  daysOverdue: Type.Integer(),
});
export type ReviewSchedule = Static<typeof ReviewScheduleSchema>;

// ---- reviews -----------------------------------------------------------------------------------

export const ReviewSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  title: Type.String(),
  scheduledOn: DateOnly,
  heldAt: Nullable(Type.String({ format: 'date-time' })),
  attendees: Type.Array(Type.Object({ userId: Uuid, name: Type.String() })),
  minutes: Type.String({ description: 'the minutes (Markdown)' }),
  releases: Type.Array(Type.Object({ releaseId: Uuid, version: Type.String() })),
  revision: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Review = Static<typeof ReviewSchema>;

const ReviewFields = {
  title: Type.Optional(Title),
  scheduledOn: Type.Optional(DateOnly),
  heldAt: Type.Optional(
    Type.String({ format: 'date-time', description: 'when it was held: recording the review' }),
  ),
  attendeeIds: Type.Optional(Type.Array(Uuid, { maxItems: 50, description: 'board members who attended' })),
  minutes: Type.Optional(Text(50_000, 'the minutes (Markdown)')),
  releaseIds: Type.Optional(Type.Array(Uuid, { maxItems: 100, description: 'the releases reviewed' })),
};

export const CreateReviewBody = Type.Object(ReviewFields, {
  additionalProperties: false,
  description: 'schedule a review (scheduledOn), or record one held (heldAt); one of the two is needed',
});
export type CreateReviewInput = Static<typeof CreateReviewBody>;

export const UpdateReviewBody = Type.Object(
  { revision: Revision, ...ReviewFields },
  { additionalProperties: false },
);
export type UpdateReviewInput = Static<typeof UpdateReviewBody>;

// ---- the improvement register ------------------------------------------------------------------

export const MeasureSchema = Type.Object({
  text: Type.String(),
  value: Nullable(Type.Number()),
});

export const ImprovementItemSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  number: Type.Integer({ description: 'shown as IMP-<number>' }),
  title: Type.String(),
  description: Type.String(),
  reviewId: Nullable(Uuid),
  owner: Nullable(Type.Object({ userId: Uuid, name: Type.String() })),
  baseline: MeasureSchema,
  target: MeasureSchema,
  unit: Type.String({ description: 'the unit of the numbers, e.g. % or incidents per release' }),
  dueQuarter: Nullable(Type.String()),
  status: ImprovementStatusSchema,
  result: Type.String({ description: 'what came of it (done) or why it was dropped' }),
  resultValue: Nullable(Type.Number()),
  targetMet: Nullable(Type.Boolean({ description: 'the result against the target, when both are numbers' })),
  late: Type.Boolean({ description: 'still open after its due quarter' }),
  closedAt: Nullable(Type.String({ format: 'date-time' })),
  releases: Type.Array(Type.Object({ releaseId: Uuid, version: Type.String() })),
  cards: Type.Array(
    Type.Object({ cardId: Uuid, key: Type.String(), title: Type.String(), type: Type.String() }),
  ),
  revision: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ImprovementItem = Static<typeof ImprovementItemSchema>;

const ItemFields = {
  title: Type.Optional(Title),
  description: Type.Optional(Text(10_000)),
  reviewId: Type.Optional(Nullable(Uuid)),
  ownerId: Type.Optional(Nullable(Uuid)),
  baselineText: Type.Optional(Text(500)),
  baselineValue: Type.Optional(Nullable(Measured)),
  targetText: Type.Optional(Text(500)),
  targetValue: Type.Optional(Nullable(Measured)),
  unit: Type.Optional(Text(40)),
  dueQuarter: Type.Optional(Nullable(QuarterSchema)),
  releaseIds: Type.Optional(
    Type.Array(Uuid, { maxItems: 50, description: 'the releases that motivated it' }),
  ),
  cardIds: Type.Optional(
    Type.Array(Uuid, { maxItems: 50, description: 'the problems and incidents that motivated it' }),
  ),
};

export const CreateItemBody = Type.Object({ ...ItemFields, title: Title }, { additionalProperties: false });
export type CreateItemInput = Static<typeof CreateItemBody>;

export const UpdateItemBody = Type.Object(
  { revision: Revision, ...ItemFields },
  { additionalProperties: false },
);
export type UpdateItemInput = Static<typeof UpdateItemBody>;

export const ItemStatusBody = Type.Object(
  {
    revision: Revision,
    status: ImprovementStatusSchema,
    result: Type.Optional(Text(5_000, 'needed to close (done or dropped)')),
    resultValue: Type.Optional(Nullable(Measured)),
  },
  { additionalProperties: false },
);
export type ItemStatusInput = Static<typeof ItemStatusBody>;

export const ItemQuery = Type.Object(
  {
    status: Type.Optional(ImprovementStatusSchema),
    quarter: Type.Optional(QuarterSchema),
  },
  { additionalProperties: false },
);

// ---- the panel's one read ----------------------------------------------------------------------

export const REVIEW_LIMIT = 200;
export const ITEM_LIMIT = 500;

export const ImprovementOverviewSchema = Type.Object({
  settings: ImprovementSettingsSchema,
  schedule: ReviewScheduleSchema,
  reviewsPerQuarter: Type.Array(Type.Object({ quarter: Type.String(), held: Type.Integer() }), {
    description: 'reviews held in each of the last four quarters, the current one last',
  }),
  reviews: Type.Array(ReviewSchema, { description: `newest first, at most ${REVIEW_LIMIT}` }),
  items: Type.Array(ImprovementItemSchema, { description: `by number, at most ${ITEM_LIMIT}` }),
});
export type ImprovementOverview = Static<typeof ImprovementOverviewSchema>;

// ---- the warranty a review checks --------------------------------------------------------------

/**
 * What a review checks against hyper-care (issue 17): each reviewed release's warranty requirements
 * with the latest measurement and its verdict (server/domain/warranty.ts decides it).
 */
export const ReviewWarrantySchema = Type.Object({
  reviewId: Uuid,
  releases: Type.Array(
    Type.Object({
      releaseId: Uuid,
      version: Type.String(),
      requirements: Type.Array(
        Type.Object({
          id: Uuid,
          category: WarrantyRequirementSchema.properties.category,
          statement: Type.String(),
          target: WarrantyTargetSchema,
          measured: Nullable(
            Type.Object({ value: Type.Number(), measuredAt: Type.String({ format: 'date-time' }) }),
          ),
          status: WarrantyRequirementSchema.properties.status,
        }),
      ),
      summary: WarrantySchema.properties.summary,
    }),
  ),
});
export type ReviewWarranty = Static<typeof ReviewWarrantySchema>;
