/**
 * Problems, known errors, card links and major incidents: the wire format (issue 20). The rules behind
 * it are pure, in server/domain/known-errors.ts (links, matching, search terms) and
 * server/domain/major-incident.ts (timeline and report).
 */
import { type Static, Type } from 'typebox';
import { CardTypeSchema, Nullable, PrioritySchema, Uuid } from './model.ts';

// ---- links between cards ----------------------------------------------------------------------

/**
 * A link reads from the card it is shown on: "OPS-3 caused_by OPS-9" is "OPS-9 causes OPS-3" on the
 * other card. Each pair is stored once, in the first kind's direction (see `storedLink`).
 */
export const LINK_INVERSES = {
  relates_to: 'relates_to',
  caused_by: 'causes',
  causes: 'caused_by',
  fixes: 'fixed_by',
  fixed_by: 'fixes',
  duplicates: 'duplicated_by',
  duplicated_by: 'duplicates',
  problem_for: 'has_problem',
  has_problem: 'problem_for',
  recurrence_of: 'recurred_as',
  recurred_as: 'recurrence_of',
} as const;
export type CardLinkKind = keyof typeof LINK_INVERSES;
export const CARD_LINK_KINDS = Object.keys(LINK_INVERSES) as CardLinkKind[];
/** The direction a pair is stored in (the plugin API's link kinds). */
export const STORED_LINK_KINDS = [
  'relates_to',
  'caused_by',
  'fixes',
  'duplicates',
  'problem_for',
  'recurrence_of',
] as const satisfies readonly CardLinkKind[];

export const CardLinkKindSchema = Type.Enum([...CARD_LINK_KINDS], {
  description: CARD_LINK_KINDS.join(' | '),
});

export const CardLinkSchema = Type.Object({
  cardId: Uuid,
  key: Type.String(),
  title: Type.String(),
  type: CardTypeSchema,
  priority: PrioritySchema,
  kind: CardLinkKindSchema,
  state: Type.String({ description: 'the linked card’s column, "Backlog" or "Done"' }),
  done: Type.Boolean(),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type CardLink = Static<typeof CardLinkSchema>;

export const CreateLinkBody = Type.Object(
  {
    targetId: Uuid,
    kind: CardLinkKindSchema,
  },
  { additionalProperties: false },
);
export type CreateLinkInput = Static<typeof CreateLinkBody>;

export const DeleteLinkQuery = Type.Object({ kind: CardLinkKindSchema }, { additionalProperties: false });

// ---- problem records and the known-error database ----------------------------------------------

export const KNOWN_ERROR_STATUSES = ['none', 'investigating', 'known_error', 'resolved'] as const;
export type KnownErrorStatus = (typeof KNOWN_ERROR_STATUSES)[number];
export const KnownErrorStatusSchema = Type.Enum([...KNOWN_ERROR_STATUSES], {
  description: KNOWN_ERROR_STATUSES.join(' → '),
});

export const ProblemRecordSchema = Type.Object({
  cardId: Uuid,
  rootCause: Type.String(),
  workaround: Type.String(),
  signature: Type.String({
    description: 'the error’s signature: an alert fingerprint, or service:<name> for a service',
  }),
  status: KnownErrorStatusSchema,
  updatedAt: Nullable(Type.String()),
});
export type ProblemRecord = Static<typeof ProblemRecordSchema>;

export const UpdateProblemBody = Type.Object(
  {
    rootCause: Type.Optional(Type.String({ maxLength: 10_000 })),
    workaround: Type.Optional(Type.String({ maxLength: 10_000 })),
    signature: Type.Optional(Type.String({ maxLength: 300 })),
    status: Type.Optional(KnownErrorStatusSchema),
  },
  { additionalProperties: false },
);
export type UpdateProblemInput = Static<typeof UpdateProblemBody>;

export const KnownErrorSchema = Type.Object({
  cardId: Uuid,
  key: Type.String(),
  title: Type.String(),
  priority: PrioritySchema,
  rootCause: Type.String(),
  workaround: Type.String(),
  signature: Type.String(),
  updatedAt: Nullable(Type.String()),
});
export type KnownError = Static<typeof KnownErrorSchema>;

export const KNOWN_ERROR_SEARCH_LIMIT = 50;
export const KnownErrorQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: KNOWN_ERROR_SEARCH_LIMIT })),
  },
  { additionalProperties: false },
);

export const WorkaroundMatchSchema = Type.Object({
  knownError: KnownErrorSchema,
  match: Type.Enum(['linked', 'fingerprint', 'signature'], {
    description: 'why it matches: linked by hand or by the rule, or the same alert fingerprint or signature',
  }),
});
export type WorkaroundMatch = Static<typeof WorkaroundMatchSchema>;

// ---- major incidents -----------------------------------------------------------------------------

export const MajorIncidentSchema = Type.Object({
  cardId: Uuid,
  major: Type.Boolean(),
  declaredAt: Nullable(Type.String()),
  impact: Type.String(),
  actions: Type.String({ description: 'follow-up actions, one per line' }),
  reviewNotes: Type.String({ description: 'the post-incident review' }),
  runbookChangeUrl: Nullable(Type.String({ description: 'the runbook change the review caused' })),
});
export type MajorIncident = Static<typeof MajorIncidentSchema>;

export const UpdateMajorIncidentBody = Type.Object(
  {
    major: Type.Optional(Type.Boolean()),
    impact: Type.Optional(Type.String({ maxLength: 5_000 })),
    actions: Type.Optional(Type.String({ maxLength: 5_000 })),
    reviewNotes: Type.Optional(Type.String({ maxLength: 10_000 })),
    runbookChangeUrl: Type.Optional(
      Nullable(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2_000 })),
    ),
  },
  { additionalProperties: false },
);
export type UpdateMajorIncidentInput = Static<typeof UpdateMajorIncidentBody>;

export const TimelineEntrySchema = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  cardId: Uuid,
  cardKey: Type.String(),
  actor: Type.String(),
  type: Type.String({ description: 'the board event’s kind' }),
  text: Type.String(),
});
export type TimelineEntry = Static<typeof TimelineEntrySchema>;
export const TIMELINE_LIMIT = 500;

export const MajorIncidentReportSchema = Type.Object({
  markdown: Type.String(),
  generatedAt: Type.String(),
});
export type MajorIncidentReport = Static<typeof MajorIncidentReportSchema>;
