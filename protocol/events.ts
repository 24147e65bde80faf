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
import { ReleaseSchema } from './releases.ts';

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
  }),
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
