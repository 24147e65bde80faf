/**
 * The board's changes, one discriminated union: each kind of board event names its payload once,
 * here. The event log records them, socket frames and HTTP routes carry them (the routes' response
 * schemas are this union, so OpenAPI documents every payload), the web app's reducers switch over
 * them and plugin hooks receive them. A new kind is added here first; every switch over
 * `event.type` that ends in `exhaustive(event)` then fails to compile until it handles the kind.
 *
 * Stored events are read back as these types: a payload whose shape changed is migrated in the log
 * (migrations/2026-12-04T0010-column-event-versions.ts) so old rows still match.
 */
import { type Static, type TSchema, Type } from 'typebox';
import { HypercareIncidentSchema, HypercareSchema } from './hypercare.ts';
import { ImprovementItemSchema, ImprovementSettingsSchema, ReviewSchema } from './improvement.ts';
import {
  Actor,
  CardPlacementSchema,
  CardSchema,
  ColumnSchema,
  MemberSchema,
  SprintSchema,
  StreamSchema,
  Uuid,
} from './model.ts';
import { PolicySchema, RotaSchema } from './oncall.ts';
import { ReleaseRunSchema, ReleaseSchema, ReleaseSettingsSchema } from './releases.ts';
import { SlaReviewSchema } from './service-report.ts';
import { CardSlaSchema, SlaDocumentSchema } from './sla.ts';
import { WarrantySchema } from './warranty.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** One edited field of a card, as its history shows it ("priority: Medium → High"). */
export const FieldChangeSchema = Type.Object({
  field: Type.String(),
  from: Type.Optional(Type.Unknown()),
  to: Type.Optional(Type.Unknown()),
});
export type FieldChange = Static<typeof FieldChangeSchema>;

export const CardCommentSchema = Type.Object({
  id: Uuid,
  cardId: Uuid,
  author: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
  // Optional: events recorded before internal notes existed lack it (they were all public).
  internal: Type.Optional(
    Type.Boolean({ description: 'a note for the team, never shown to the requester of a service request' }),
  ),
});
export type CardComment = Static<typeof CardCommentSchema>;

/** Where a moved card was: the fields of its place before the move. */
const PlaceSchema = Type.Object({
  rank: Type.String(),
  columnId: Nullable(Uuid),
  sprintId: Nullable(Uuid),
  stream: StreamSchema,
});

/**
 * The envelope every kind shares. `type` comes first: a response serialiser tries the kinds in
 * turn, and a mismatch on the first property is the cheapest. Events about one card name it in
 * `cardId`; board-wide events have none.
 */
function kind<T extends string, C extends TSchema, P extends TSchema>(type: T, cardId: C, payload: P) {
  return Type.Object(
    {
      type: Type.Literal(type),
      boardId: Uuid,
      seq: Type.Integer(),
      cardId,
      actor: Actor,
      at: Type.String(),
      payload,
    },
    { title: type },
  );
}
const OneCard = Uuid;
const NoCard = Type.Null();

/** The busiest event: a card's new place (not the whole card) and where it was. */
export const CardMovedEventSchema = kind(
  'card.moved',
  OneCard,
  Type.Object({
    card: CardPlacementSchema,
    from: PlaceSchema,
    warning: Type.Optional(Type.String({ description: 'a warn-policy column took it over its WIP limit' })),
    changes: Type.Optional(
      Type.Array(FieldChangeSchema, { description: 'a plugin that edited the card as it moved it' }),
    ),
  }),
);
export const CardCreatedEventSchema = kind('card.created', OneCard, Type.Object({ card: CardSchema }));
export const CardUpdatedEventSchema = kind(
  'card.updated',
  OneCard,
  Type.Object({ card: CardSchema, changes: Type.Array(FieldChangeSchema) }),
);
export const CardsMovedEventSchema = kind(
  'cards.moved',
  NoCard,
  Type.Object({ cards: Type.Array(CardSchema, { description: 'every card of a multi-select move' }) }),
);
export const CardDeletedEventSchema = kind(
  'card.deleted',
  OneCard,
  Type.Object({ cardId: Uuid, key: Type.String(), title: Type.String() }),
);
export const CardCommentedEventSchema = kind(
  'card.commented',
  OneCard,
  Type.Object({ comment: CardCommentSchema }),
);
export const CardLinkedEventSchema = kind(
  'card.linked',
  OneCard,
  Type.Object({
    cardId: Uuid,
    linkedCardId: Uuid,
    linkedKey: Type.String(),
    kind: Type.String({ description: 'a link kind of the plugin API (LINK_KINDS), e.g. recurrence_of' }),
  }),
);
/** A link between two cards taken away (by hand); the payload names it as `card.linked` did. */
export const CardUnlinkedEventSchema = kind(
  'card.unlinked',
  OneCard,
  Type.Object({
    cardId: Uuid,
    linkedCardId: Uuid,
    linkedKey: Type.String(),
    kind: Type.String({ description: 'the stored link kind (protocol/problems.ts STORED_LINK_KINDS)' }),
  }),
);
export const SprintCreatedEventSchema = kind('sprint.created', NoCard, Type.Object({ sprint: SprintSchema }));
export const SprintUpdatedEventSchema = kind('sprint.updated', NoCard, Type.Object({ sprint: SprintSchema }));
export const SprintStartedEventSchema = kind(
  'sprint.started',
  NoCard,
  Type.Object({
    sprint: SprintSchema,
    cards: Type.Array(CardSchema, { description: 'the cards it took in' }),
  }),
);
export const SprintCompletedEventSchema = kind(
  'sprint.completed',
  NoCard,
  Type.Object({
    sprint: SprintSchema,
    cards: Type.Array(CardSchema, { description: 'its unfinished cards, where they were carried' }),
    carryOver: Type.Union([Type.Literal('backlog'), Type.Literal('next_sprint')]),
    nextSprintId: Nullable(Uuid),
  }),
);
export const ColumnCreatedEventSchema = kind('column.created', NoCard, Type.Object({ column: ColumnSchema }));
export const ColumnUpdatedEventSchema = kind('column.updated', NoCard, Type.Object({ column: ColumnSchema }));
export const ColumnsReorderedEventSchema = kind(
  'columns.reordered',
  NoCard,
  Type.Object({ stream: StreamSchema, columns: Type.Array(ColumnSchema) }),
);
export const ColumnDeletedEventSchema = kind('column.deleted', NoCard, Type.Object({ columnId: Uuid }));
export const MemberSetEventSchema = kind('member.set', NoCard, Type.Object({ member: MemberSchema }));
export const MemberRemovedEventSchema = kind('member.removed', NoCard, Type.Object({ userId: Uuid }));
export const ReleaseCreatedEventSchema = kind(
  'release.created',
  NoCard,
  Type.Object({ release: ReleaseSchema }),
);
export const ReleaseUpdatedEventSchema = kind(
  'release.updated',
  NoCard,
  Type.Object({
    release: ReleaseSchema,
    change: Type.String({ description: 'what changed, e.g. scope, deployed, live, stopped' }),
    previousState: Type.Optional(
      Type.String({
        description: 'the state before this change (absent in events recorded before it was added)',
      }),
    ),
    run: Type.Optional({
      ...ReleaseRunSchema,
      description: 'the run reported, when a report made this change (deployed, stopped, resumed)',
    }),
  }),
);
export const ReleaseSettingsChangedEventSchema = kind(
  'release.settings_changed',
  NoCard,
  Type.Object(
    {
      settings: ReleaseSettingsSchema,
    },
    { description: "the board's path-to-live settings now; releases planned before keep theirs" },
  ),
);

/** Hyper-care of a release changed (started, checklist, handover, extended, exited). */
export const HypercareUpdatedEventSchema = kind(
  'hypercare.updated',
  NoCard,
  Type.Object({
    hypercare: HypercareSchema,
    change: Type.String({ description: 'the decision kind, e.g. started, accepted, extended, exited' }),
  }),
);
/**
 * A ticket was linked to a release and routed: during hyper-care to the owning team (who are told by
 * this event; outgoing notifications subscribe to it), after it to maintenance.
 */
export const HypercareIncidentEventSchema = kind(
  'hypercare.incident',
  OneCard,
  Type.Object({ incident: HypercareIncidentSchema }),
);

/**
 * A card's SLA clock changed: started, responded, paused or resumed (waiting), rated (`tier` when that
 * moved it), resolved or reopened. Open boards keep each card's time left from these.
 */
export const SlaClockEventSchema = kind(
  'sla.clock',
  OneCard,
  Type.Object({
    clock: CardSlaSchema,
    change: Type.String({ description: 'what changed, comma-separated, e.g. started or paused,tier' }),
  }),
);
const SlaStagePayload = Type.Object({
  clock: CardSlaSchema,
  which: Type.Union([Type.Literal('response'), Type.Literal('resolution')]),
  dueAt: Type.String({ description: 'the instant it was due (75% or 100% of the target)' }),
});
/** 75% of a clock's target has elapsed; announced once. */
export const SlaWarningEventSchema = kind('sla.warning', OneCard, SlaStagePayload);
/** A clock's target has elapsed; announced once. */
export const SlaBreachedEventSchema = kind('sla.breached', OneCard, SlaStagePayload);
export const SlaDocumentEventSchema = kind(
  'sla.document',
  NoCard,
  Type.Object({ document: SlaDocumentSchema, revision: Type.Integer() }),
);

export const OncallRotaChangedEventSchema = kind(
  'oncall.rota_changed',
  NoCard,
  Type.Object({ rotaId: Uuid, rota: Nullable(RotaSchema) }, { description: 'rota is null once deleted' }),
);
export const OncallPolicyChangedEventSchema = kind(
  'oncall.policy_changed',
  NoCard,
  Type.Object(
    { policyId: Uuid, policy: Nullable(PolicySchema) },
    { description: 'policy is null once deleted' },
  ),
);
export const OncallPagedEventSchema = kind(
  'oncall.paged',
  OneCard,
  Type.Object({
    cardId: Uuid,
    key: Type.String(),
    step: Type.Integer({ description: 'the escalation step, from 0' }),
    /** null when the step found nobody on duty (a gap in the rota) */
    who: Nullable(Type.Object({ userId: Uuid, name: Type.String() })),
    target: Type.String({ description: 'on_duty | next_on_duty | user' }),
  }),
);
export const OncallAcknowledgedEventSchema = kind(
  'oncall.acknowledged',
  OneCard,
  Type.Object({ cardId: Uuid, key: Type.String(), stepsPaged: Type.Integer() }),
);

/** Review and improve (issue 17): the board's review cadence changed. */
export const ImprovementSettingsEventSchema = kind(
  'improvement.settings_changed',
  NoCard,
  Type.Object({ settings: ImprovementSettingsSchema }),
);
/** A review of the release procedure was scheduled, edited or recorded as held. */
export const ImprovementReviewEventSchema = kind(
  'improvement.review_changed',
  NoCard,
  Type.Object({
    review: ReviewSchema,
    change: Type.String({ description: 'scheduled | recorded | edited' }),
  }),
);
export const ImprovementReviewDeletedEventSchema = kind(
  'improvement.review_deleted',
  NoCard,
  Type.Object({ reviewId: Uuid, title: Type.String() }),
);
/** An improvement item was raised, edited or moved along its status (closing carries the result). */
export const ImprovementItemEventSchema = kind(
  'improvement.item_changed',
  NoCard,
  Type.Object({
    item: ImprovementItemSchema,
    change: Type.String({ description: 'raised | edited | status' }),
    previousStatus: Type.Optional(Type.String()),
  }),
);
export const ImprovementItemDeletedEventSchema = kind(
  'improvement.item_deleted',
  NoCard,
  Type.Object({ itemId: Uuid, number: Type.Integer() }),
);
/** A release's warranty requirements or their measurements changed; the warranty as it now is. */
export const WarrantyUpdatedEventSchema = kind(
  'warranty.updated',
  NoCard,
  Type.Object({
    warranty: WarrantySchema,
    change: Type.String({ description: 'added, changed, removed (a requirement) or measured' }),
  }),
);
/** A quarter's SLA review minutes were recorded, edited or deleted (review null once deleted). */
export const SlaReviewChangedEventSchema = kind(
  'sla.review_changed',
  NoCard,
  Type.Object({ reviewId: Uuid, quarter: Type.String(), review: Nullable(SlaReviewSchema) }),
);

/** Every board event, most frequent first (the order a response serialiser tries them in). */
export const BoardEventSchema = Type.Union(
  [
    CardMovedEventSchema,
    CardUpdatedEventSchema,
    CardCreatedEventSchema,
    CardCommentedEventSchema,
    CardsMovedEventSchema,
    CardDeletedEventSchema,
    CardLinkedEventSchema,
    CardUnlinkedEventSchema,
    SprintCreatedEventSchema,
    SprintUpdatedEventSchema,
    SprintStartedEventSchema,
    SprintCompletedEventSchema,
    ColumnCreatedEventSchema,
    ColumnUpdatedEventSchema,
    ColumnsReorderedEventSchema,
    ColumnDeletedEventSchema,
    MemberSetEventSchema,
    MemberRemovedEventSchema,
    ReleaseCreatedEventSchema,
    ReleaseUpdatedEventSchema,
    HypercareUpdatedEventSchema,
    HypercareIncidentEventSchema,
    ReleaseSettingsChangedEventSchema,
    SlaClockEventSchema,
    SlaWarningEventSchema,
    SlaBreachedEventSchema,
    SlaDocumentEventSchema,
    OncallPagedEventSchema,
    OncallAcknowledgedEventSchema,
    OncallRotaChangedEventSchema,
    OncallPolicyChangedEventSchema,
    ImprovementItemEventSchema,
    ImprovementReviewEventSchema,
    ImprovementReviewDeletedEventSchema,
    ImprovementItemDeletedEventSchema,
    ImprovementSettingsEventSchema,
    WarrantyUpdatedEventSchema,
    SlaReviewChangedEventSchema,
  ],
  { description: 'one committed change of a board; `type` names the kind and the shape of `payload`' },
);
export type BoardEvent = Static<typeof BoardEventSchema>;
export type BoardEventType = BoardEvent['type'];
/** One kind of event, e.g. `BoardEventOf<'card.moved'>`. */
export type BoardEventOf<T extends BoardEventType> = Extract<BoardEvent, { type: T }>;
export type BoardEventPayload<T extends BoardEventType> = BoardEventOf<T>['payload'];

/**
 * The `default` of a switch over `event.type`: the compiler refuses the call while a kind is left
 * unhandled (the event is not `never` then). At run time it does nothing, so a page that meets a
 * kind added by a newer server skips that event rather than failing.
 */
export function exhaustive(_event: never): void {}

export const ColumnsReorderedSchema = Type.Object({
  columns: Type.Array(ColumnSchema, { description: "the stream's columns in their new order" }),
  event: ColumnsReorderedEventSchema,
});
export type ColumnsReordered = Static<typeof ColumnsReorderedSchema>;
