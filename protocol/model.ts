/**
 * The wire format, written once: TypeBox schemas for HTTP bodies and socket frames, imported by the
 * server (validation + OpenAPI), the web client, plugins and the tests.
 */
import { type Static, type TEnum, type TSchema, Type } from 'typebox';

const lit = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TEnum<[...T]> => Type.Enum([...values], options) as TEnum<[...T]>;

export const CARD_TYPES = [
  'story',
  'enhancement',
  'defect_automated',
  'defect_manual',
  'incident',
  'problem',
  'improvement',
  'service_request', // filed through the request portal or by e-mail (issue 20)
] as const;
export const STREAMS = ['development', 'maintenance'] as const;
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export const CLASSES_OF_SERVICE = ['expedite', 'fixed_date', 'standard', 'intangible'] as const;
export const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
export const COLUMN_CATEGORIES = ['todo', 'in_progress', 'done'] as const;

export type CardType = (typeof CARD_TYPES)[number];
export type Stream = (typeof STREAMS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type ClassOfService = (typeof CLASSES_OF_SERVICE)[number];
export type Role = (typeof ROLES)[number];

export const CardTypeSchema = lit(CARD_TYPES, { description: CARD_TYPES.join(' | ') });
export const StreamSchema = lit(STREAMS, { description: STREAMS.join(' | ') });
export const PrioritySchema = lit(PRIORITIES, { description: PRIORITIES.join(' | ') });
export const ClassOfServiceSchema = lit(CLASSES_OF_SERVICE, { description: CLASSES_OF_SERVICE.join(' | ') });
export const RoleSchema = lit(ROLES, { description: ROLES.join(' | ') });
export const ColumnCategorySchema = lit(COLUMN_CATEGORIES);

export const Uuid = Type.String({ format: 'uuid' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** Every date a person types (due dates, sprint dates) must be on the calendar and in this range. */
export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2099-12-31';
/**
 * A calendar day, YYYY-MM-DD: `format: 'date'` refuses impossible days (2024-02-30, 2024-13-45,
 * 0000-00-00) and the bounds refuse absurd years, each as a 400 naming the field instead of a
 * PostgreSQL error (ajv-formats' `formatMinimum`/`formatMaximum`, which Fastify's validator loads).
 */
export const DateOnly = Type.String({
  format: 'date',
  formatMinimum: EARLIEST_DATE,
  formatMaximum: LATEST_DATE,
  description: `YYYY-MM-DD, a real calendar day from ${EARLIEST_DATE} to ${LATEST_DATE}`,
});

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code, e.g. WIP_LIMIT_REACHED or OVERLOADED' }),
    message: Type.String(),
    field: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Length bounds of a new password (the whole rule: server/domain/password-policy.ts). */
export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 200;

/** `PUT /api/auth/password`: a signed-in person changes their own password. */
export const ChangePasswordBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    newPassword: Type.String({
      maxLength: PASSWORD_MAX_LENGTH,
      description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, as the password policy accepts`,
    }),
  },
  { additionalProperties: false },
);
export type ChangePasswordInput = Static<typeof ChangePasswordBody>;
/** What changing a password ended besides the session that asked: the person's other sessions. */
export const PasswordChangedSchema = Type.Object({ otherSessionsEnded: Type.Integer({ minimum: 0 }) });
export type PasswordChanged = Static<typeof PasswordChangedSchema>;
/** `PUT /api/users/:userId/password`: an administrator sets someone's password. */
export const SetPasswordBody = Type.Object(
  { newPassword: Type.String({ maxLength: PASSWORD_MAX_LENGTH }) },
  { additionalProperties: false },
);
export type SetPasswordInput = Static<typeof SetPasswordBody>;
export const PasswordSetSchema = Type.Object({ sessionsEnded: Type.Integer({ minimum: 0 }) });
export type PasswordSet = Static<typeof PasswordSetSchema>;

export const UserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  isAdmin: Type.Boolean(),
});
export type User = Static<typeof UserSchema>;

export const CardSource = Type.Object(
  {
    plugin: Type.String(),
    kind: Type.String(),
    url: Type.Optional(Type.String()),
    dedupKey: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const CardSchema = Type.Object({
  id: Uuid,
  boardId: Uuid,
  number: Type.Integer(),
  key: Type.String({ description: 'human key such as OPS-12' }),
  title: Type.String(),
  description: Type.String(),
  type: CardTypeSchema,
  stream: StreamSchema,
  rank: Type.String({ description: 'fractional key; byte order is backlog order' }),
  columnId: Nullable(Uuid),
  sprintId: Nullable(Uuid),
  estimate: Nullable(Type.Number()),
  classOfService: ClassOfServiceSchema,
  priority: PrioritySchema,
  assigneeId: Nullable(Uuid),
  labels: Type.Array(Type.String()),
  blocked: Type.Boolean(),
  blockedReason: Type.String(),
  dueDate: Nullable(Type.String()),
  source: Nullable(CardSource),
  version: Type.Integer({ description: 'incremented on every change; send it back with edits' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  startedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
});
export type Card = Static<typeof CardSchema>;

/**
 * What a `card.moved` event carries of the card: its place (rank, column, sprint, stream), the flow
 * stamps a move sets, and the assignee when the move assigned it (a Kanban pull). A client merges it
 * onto the card it holds; the version orders it against other copies. Moves are the busiest event
 * on a board, so they leave the card's other fields out (a typical move event: 530 bytes, not 890).
 * An event may carry more of the card (a plugin's move that also edited it carries all of it).
 */
export const CardPlacementSchema = Type.Intersect([
  Type.Pick(CardSchema, [
    'id',
    'version',
    'rank',
    'columnId',
    'sprintId',
    'stream',
    'startedAt',
    'doneAt',
    'updatedAt',
  ]),
  Type.Partial(Type.Omit(CardSchema, ['id', 'version'])),
]);
export type CardPlacement = Static<typeof CardPlacementSchema>;

const Title = Type.String({ minLength: 1, maxLength: 300 });
const Description = Type.String({ maxLength: 20_000 });
const Labels = Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 });
const Estimate = Nullable(Type.Number({ minimum: 0, maximum: 1000 }));

export const CreateCardBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    type: CardTypeSchema,
    stream: Type.Optional(StreamSchema),
    priority: Type.Optional(PrioritySchema),
    classOfService: Type.Optional(ClassOfServiceSchema),
    estimate: Type.Optional(Estimate),
    labels: Type.Optional(Labels),
    assigneeId: Type.Optional(Nullable(Uuid)),
    dueDate: Type.Optional(Nullable(DateOnly)),
    position: Type.Optional(lit(['top', 'bottom'], { description: 'where in the backlog; default bottom' })),
    releaseId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'put the new card straight into this release (release managers; not once it is live)',
      }),
    ),
    raisedFrom: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          "the card this one was raised from (e.g. a release's defect): linked to it, and the new card joins the release that card travels in while that release is on its way",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateCardInput = Static<typeof CreateCardBody>;

export const UpdateCardBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'the version the edit was made on' }),
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    type: Type.Optional(CardTypeSchema),
    stream: Type.Optional(StreamSchema),
    priority: Type.Optional(PrioritySchema),
    classOfService: Type.Optional(ClassOfServiceSchema),
    estimate: Type.Optional(Estimate),
    labels: Type.Optional(Labels),
    assigneeId: Type.Optional(Nullable(Uuid)),
    blocked: Type.Optional(Type.Boolean()),
    blockedReason: Type.Optional(Type.String({ maxLength: 500 })),
    dueDate: Type.Optional(Nullable(DateOnly)),
  },
  { additionalProperties: false },
);
export type UpdateCardInput = Static<typeof UpdateCardBody>;

/**
 * A move names the card's new neighbours as the mover saw them (either is enough) and, optionally,
 * a new column, sprint or stream. The server turns neighbours into one fractional rank. With
 * `expectedVersion` the move is conditional: of two changes racing from that version, one wins.
 */
export const MoveCardBody = Type.Object(
  {
    afterId: Type.Optional(Nullable(Uuid)),
    beforeId: Type.Optional(Nullable(Uuid)),
    columnId: Type.Optional(Nullable(Uuid)),
    sprintId: Type.Optional(Nullable(Uuid)),
    stream: Type.Optional(StreamSchema),
    expectedVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description:
          'move only while the card is still at this version (e.g. undoing your own move); otherwise 409 STALE_VERSION with the current card',
      }),
    ),
  },
  { additionalProperties: false },
);
export type MoveCardInput = Static<typeof MoveCardBody>;

export const BulkMoveBody = Type.Object(
  {
    cardIds: Type.Array(Uuid, { minItems: 1, maxItems: 500, uniqueItems: true }),
    position: Type.Optional(lit(['top', 'bottom'])),
    sprintId: Type.Optional(Nullable(Uuid)),
    stream: Type.Optional(StreamSchema),
  },
  { additionalProperties: false },
);
export type BulkMoveInput = Static<typeof BulkMoveBody>;

export const BoardSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  key: Type.String(),
  role: RoleSchema,
  seq: Type.Integer(),
});
export type Board = Static<typeof BoardSchema>;

export const CreateBoardBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    key: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z][A-Za-z0-9]{1,9}$',
        description:
          '2-10 letters/digits, starting with a letter; stored in capitals, unique whatever the case',
      }),
    ),
  },
  { additionalProperties: false },
);

export const MemberSchema = Type.Object({
  userId: Uuid,
  name: Type.String(),
  email: Type.String(),
  role: RoleSchema,
});
export type Member = Static<typeof MemberSchema>;

export const ColumnSchema = Type.Object({
  id: Uuid,
  stream: StreamSchema,
  name: Type.String(),
  position: Type.Integer(),
  category: ColumnCategorySchema,
  wipLimit: Nullable(Type.Integer()),
  wipPolicy: lit(['hard', 'warn']),
  expediteExempt: Type.Boolean(),
  entryPolicy: Type.String(),
  exitPolicy: Type.String(),
  version: Type.Integer({
    minimum: 1,
    description:
      'counts edits of the settings above; send it with the next edit (reordering leaves it alone)',
  }),
});
export type Column = Static<typeof ColumnSchema>;

export const SprintSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  goal: Type.String(),
  state: lit(['planned', 'active', 'completed']),
  capacity: Nullable(Type.Number()),
  startDate: Nullable(Type.String()),
  endDate: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  committedPoints: Nullable(Type.Number()),
  completedPoints: Nullable(Type.Number()),
  carryOver: Nullable(Type.String()),
});
export type Sprint = Static<typeof SprintSchema>;

export const Actor = Type.Object({ id: Nullable(Type.String()), label: Type.String() });

/**
 * Board events are one discriminated union in events.ts. Only their types are re-exported here:
 * events.ts builds on this module's schemas, so a runtime re-export would be an import cycle (the
 * schemas would be read before they exist). Import the schemas (BoardEventSchema,
 * ColumnsReorderedSchema) from events.ts.
 */
export type { BoardEvent, BoardEventOf, BoardEventType, ColumnsReordered } from './events.ts';

export const SnapshotSchema = Type.Object({
  board: BoardSchema,
  members: Type.Array(MemberSchema),
  columns: Type.Array(ColumnSchema),
  sprints: Type.Array(SprintSchema),
  cards: Type.Array(CardSchema),
  seq: Type.Integer({ description: 'the sequence this snapshot is at' }),
});
export type Snapshot = Static<typeof SnapshotSchema>;

// ---- Columns (sprint board and Kanban) --------------------------------------------------------

const ColumnFields = {
  name: Type.String({ minLength: 1, maxLength: 60 }),
  category: ColumnCategorySchema,
  wipLimit: Nullable(Type.Integer({ minimum: 1, maximum: 999 })),
  wipPolicy: lit(['hard', 'warn']),
  expediteExempt: Type.Boolean(),
  entryPolicy: Type.String({ maxLength: 500 }),
  exitPolicy: Type.String({ maxLength: 500 }),
};

export const CreateColumnBody = Type.Object(
  {
    stream: StreamSchema,
    name: ColumnFields.name,
    category: ColumnFields.category,
    wipLimit: Type.Optional(ColumnFields.wipLimit),
    wipPolicy: Type.Optional(ColumnFields.wipPolicy),
    expediteExempt: Type.Optional(ColumnFields.expediteExempt),
    entryPolicy: Type.Optional(ColumnFields.entryPolicy),
    exitPolicy: Type.Optional(ColumnFields.exitPolicy),
    position: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'index among the stream columns; default last',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateColumnInput = Static<typeof CreateColumnBody>;

export const UpdateColumnBody = Type.Object(
  {
    name: Type.Optional(ColumnFields.name),
    category: Type.Optional(ColumnFields.category),
    wipLimit: Type.Optional(ColumnFields.wipLimit),
    wipPolicy: Type.Optional(ColumnFields.wipPolicy),
    expediteExempt: Type.Optional(ColumnFields.expediteExempt),
    entryPolicy: Type.Optional(ColumnFields.entryPolicy),
    exitPolicy: Type.Optional(ColumnFields.exitPolicy),
    version: Type.Integer({
      minimum: 1,
      description: 'the version the edit was made on; an older one is refused with 409 STALE_VERSION',
    }),
  },
  { additionalProperties: false },
);
export type UpdateColumnInput = Static<typeof UpdateColumnBody>;

export const ReorderColumnsBody = Type.Object(
  {
    stream: StreamSchema,
    columnIds: Type.Array(Uuid, {
      maxItems: 100,
      description: 'every column of the stream, each once, in the new order (left to right)',
    }),
  },
  { additionalProperties: false },
);
export type ReorderColumnsInput = Static<typeof ReorderColumnsBody>;

// ---- Sprints -----------------------------------------------------------------------------------

export const CreateSprintBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    goal: Type.Optional(Type.String({ maxLength: 500 })),
    capacity: Type.Optional(
      Nullable(Type.Number({ minimum: 0, maximum: 10_000, description: 'story points' })),
    ),
  },
  { additionalProperties: false },
);
export type CreateSprintInput = Static<typeof CreateSprintBody>;

export const UpdateSprintBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    goal: Type.Optional(Type.String({ maxLength: 500 })),
    capacity: Type.Optional(
      Nullable(Type.Number({ minimum: 0, maximum: 10_000, description: 'story points' })),
    ),
  },
  { additionalProperties: false },
);
export type UpdateSprintInput = Static<typeof UpdateSprintBody>;

export const StartSprintBody = Type.Object(
  {
    goal: Type.String({ maxLength: 500 }),
    startDate: DateOnly,
    endDate: DateOnly,
    capacity: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 10_000 }))),
  },
  { additionalProperties: false },
);
export type StartSprintInput = Static<typeof StartSprintBody>;

export const CompleteSprintBody = Type.Object(
  {
    carryOver: lit(['backlog', 'next_sprint'], {
      description: 'unfinished items go to the top of the backlog, or into the next planned sprint',
    }),
    nextSprintId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type CompleteSprintInput = Static<typeof CompleteSprintBody>;

// ---- Reports -----------------------------------------------------------------------------------

export const VelocitySchema = Type.Array(
  Type.Object({ sprintId: Uuid, name: Type.String(), committed: Type.Number(), completed: Type.Number() }),
);
export type Velocity = Static<typeof VelocitySchema>;

export const BurndownSchema = Type.Object({
  sprintId: Uuid,
  committed: Type.Number(),
  days: Type.Array(
    Type.Object({ date: Type.String(), remaining: Nullable(Type.Number()), ideal: Type.Number() }),
  ),
});
export type Burndown = Static<typeof BurndownSchema>;

export const FlowReportSchema = Type.Object({
  columns: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
  cumulativeFlow: Type.Array(
    Type.Object({
      date: Type.String(),
      counts: Type.Record(Type.String(), Type.Integer(), { description: 'columnId → cards' }),
    }),
  ),
  items: Type.Array(
    Type.Object({
      cardId: Uuid,
      key: Type.String(),
      cycleTimeHours: Nullable(Type.Number()),
      leadTimeHours: Nullable(Type.Number()),
    }),
  ),
});
export type FlowReport = Static<typeof FlowReportSchema>;
