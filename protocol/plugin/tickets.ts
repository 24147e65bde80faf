/**
 * Tickets as a plugin handles them: the signal of a failing thing (`raise`), the other actions a
 * handler may ask for, what the host did with each, the read-only view of a ticket, and the recorder
 * that validates actions as they are made so the host can apply them in one transaction.
 */
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { CardTypeSchema, Uuid } from '../model.ts';
import { PayloadError } from './inbound.ts';
import {
  type ReleaseActions,
  ReleaseMatchSchema,
  type ReleaseReport,
  ReleaseReportSchema,
} from './releases.ts';
import { oneOf } from './schema-builders.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const SeveritySchema = oneOf(SEVERITIES);

/** `request`: a service request (a `service_request` card), e.g. one that arrived by e-mail */
export const TICKET_KINDS = ['ci_failure', 'incident', 'problem', 'request'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const TicketKindSchema = oneOf(TICKET_KINDS);

const DedupKey = Type.String({
  minLength: 1,
  maxLength: 200,
  description: 'stable id of the thing that fails',
});
const Url = Type.String({ minLength: 1, maxLength: 2000 });
const Note = Type.String({ maxLength: 5000 });

/** A failing thing, as a plugin sees it: raising it twice updates one ticket. */
export const TicketSignalSchema = Type.Object(
  {
    dedupKey: DedupKey,
    kind: TicketKindSchema,
    title: Type.String({ minLength: 1, maxLength: 300 }),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    url: Type.Optional(Url),
    severity: Type.Optional(SeveritySchema),
    /** default by kind: ci_failure → defect_automated, incident → incident, problem → problem, request → service_request */
    type: Type.Optional(CardTypeSchema),
    labels: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 10 })),
    /** the source's id for this occurrence (run id + attempt, alert start); counted once. Default: the delivery */
    occurrenceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    branch: Type.Optional(Type.String({ maxLength: 300 })),
    onDefaultBranch: Type.Optional(Type.Boolean()),
    service: Type.Optional(Type.String({ maxLength: 200 })),
    fingerprint: Type.Optional(Type.String({ maxLength: 200 })),
    environment: Type.Optional(Type.String({ maxLength: 100 })),
    /**
     * the release this ticket belongs to, named as CI names it: a new ticket joins the scope of that
     * release while it is on its way (not live, not cancelled)
     */
    release: Type.Optional(ReleaseMatchSchema),
    /** who asked (a service request by e-mail): kept in the card's source */
    requester: Type.Optional(
      Type.Object(
        {
          email: Type.String({ minLength: 3, maxLength: 320 }),
          name: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TicketSignal = Static<typeof TicketSignalSchema>;

/** Which ticket: a dedup key of this plugin's own tickets, or any card of the board by id. */
export const TicketRefSchema = Type.Union([
  DedupKey,
  Type.Object({ cardId: Uuid }, { additionalProperties: false }),
]);
export type TicketRef = Static<typeof TicketRefSchema>;

export const KnownErrorSchema = Type.Object(
  {
    rootCause: Type.Optional(Type.String({ maxLength: 5000 })),
    workaround: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);
export type KnownError = Static<typeof KnownErrorSchema>;

export const LINK_KINDS = ['relates_to', 'caused_by', 'duplicates', 'recurrence_of', 'problem_for'] as const;
export const LinkKindSchema = oneOf(LINK_KINDS);
export type LinkKind = (typeof LINK_KINDS)[number];

export const TicketActionSchema = Type.Union([
  Type.Object({ op: Type.Literal('raise'), ticket: TicketSignalSchema }, { additionalProperties: false }),
  Type.Object(
    { op: Type.Literal('recover'), ref: TicketRefSchema, note: Type.Optional(Note), url: Type.Optional(Url) },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('resolve'), ref: TicketRefSchema, note: Type.Optional(Note) },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('reopen'), ref: TicketRefSchema, note: Type.Optional(Note) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('comment'),
      ref: TicketRefSchema,
      body: Type.String({ minLength: 1, maxLength: 10_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('update'),
      ref: TicketRefSchema,
      fields: Type.Object(
        {
          title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
          description: Type.Optional(Type.String({ maxLength: 10_000 })),
          severity: Type.Optional(SeveritySchema),
          knownError: Type.Optional(KnownErrorSchema),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      op: Type.Literal('link'),
      ref: TicketRefSchema,
      to: Type.Union([
        TicketRefSchema,
        Type.Object(
          { plugin: Type.String({ minLength: 1 }), dedupKey: DedupKey },
          { additionalProperties: false },
        ),
      ]),
      kind: LinkKindSchema,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { op: Type.Literal('ignore'), reason: Type.String({ minLength: 1, maxLength: 500 }) },
    { additionalProperties: false },
  ),
]);
export type TicketAction = Static<typeof TicketActionSchema>;

/** What the host did with one action; shown in the delivery log. */
export const ACTION_RESULTS = [
  'created',
  'updated',
  'reopened',
  'resolved',
  'review',
  'annotated',
  'commented',
  'linked',
  'unchanged',
  'ignored',
] as const;
export const ActionResultSchema = Type.Object({
  op: Type.String(),
  result: oneOf(ACTION_RESULTS),
  dedupKey: Type.Optional(Type.String()),
  cardId: Type.Optional(Uuid),
  cardKey: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});
export type ActionResult = Static<typeof ActionResultSchema>;

/** A plugin's read-only view of one of its tickets. */
export interface TicketView {
  cardId: string;
  key: string;
  title: string;
  dedupKey: string;
  status: 'firing' | 'recovered';
  /** the card sits in a done column */
  resolved: boolean;
  occurrences: number;
  lastSeenAt: string;
}

/** What the host keeps in `card.source` of a ticket a plugin raised (the board shows it live). */
export interface PluginCardSource {
  plugin: string;
  kind: TicketKind;
  url?: string;
  dedupKey: string;
  installationId: string | null;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  status: 'firing' | 'recovered';
  severity: Severity;
  slaTier: string;
  branch?: string;
  service?: string;
  fingerprint?: string;
  environment?: string;
  knownError?: KnownError;
  /** a service request's requester */
  requester?: { email: string; name?: string };
}

/** The tickets a handler may touch. Calls are recorded and applied together when the handler returns. */
export interface TicketActions {
  /** create the ticket for `dedupKey`, or count one more occurrence on the open one */
  raise(ticket: TicketSignal): void;
  /** the source is healthy again: comment, then resolve / move to review / only comment, per config */
  recover(ref: TicketRef, info?: { note?: string; url?: string }): void;
  /** move to the stream's done column regardless of config */
  resolve(ref: TicketRef, info?: { note?: string }): void;
  /** back to the top of the backlog */
  reopen(ref: TicketRef, info?: { note?: string }): void;
  comment(ref: TicketRef, body: string): void;
  update(
    ref: TicketRef,
    fields: { title?: string; description?: string; severity?: Severity; knownError?: KnownError },
  ): void;
  link(ref: TicketRef, to: TicketRef | { plugin: string; dedupKey: string }, kind: LinkKind): void;
  /** this plugin's ticket for a dedup key on this board, or null */
  find(dedupKey: string): Promise<TicketView | null>;
  /**
   * This plugin's ticket on the card with this key on this board (e.g. "SD-12", as a reply's subject
   * names it), or null: a card the plugin did not raise is never found.
   */
  findByCardKey(cardKey: string): Promise<TicketView | null>;
}

/**
 * The dedup key to use after a plugin changed how it builds keys: `key`, unless no ticket has it yet
 * and a ticket raised under the old key (`legacy`) is still open; that one then keeps counting and
 * recovering until it is resolved, and later signals start tickets under `key`.
 */
export async function keyOrOpenLegacy(
  tickets: Pick<TicketActions, 'find'>,
  key: string,
  legacy: string,
): Promise<string> {
  if (legacy === key || (await tickets.find(key))) return key;
  const old = await tickets.find(legacy);
  return old && !old.resolved ? legacy : key;
}

// ---- Recording (the host's, and the test kit's) ---------------------------------------------------

export class PluginContextClosed extends Error {}

export interface ActionRecorder {
  readonly tickets: TicketActions;
  readonly actions: TicketAction[];
  readonly releases: ReleaseActions;
  /** release reports (protocol/plugin/releases.ts), applied in the same transaction as `actions` */
  readonly releaseReports: ReleaseReport[];
  ignore(reason: string): void;
  /** after the handler settles (or times out): later calls throw */
  close(): void;
}

function check(action: TicketAction): TicketAction {
  if (Value.Check(TicketActionSchema, action)) return action;
  // Report against the variant the plugin meant (same `op`), not the whole union.
  const variant = TicketActionSchema.anyOf.find(
    (s) => (s.properties.op as { const?: string }).const === (action as { op?: unknown })?.op,
  );
  const first = variant ? [...Value.Errors(variant, action)][0] : undefined;
  const where = first?.instancePath ? ` at ${first.instancePath}` : '';
  throw new PayloadError(
    `invalid ${String((action as { op?: unknown })?.op)} action${where}: ${first?.message ?? 'not a ticket action'}`,
  );
}

function checkReport(report: ReleaseReport): ReleaseReport {
  if (Value.Check(ReleaseReportSchema, report)) {
    const { version, tag, commit } = report.match;
    if (version || tag || commit) return report;
    throw new PayloadError('invalid release report at /match: name the release by version, tag or commit');
  }
  const first = [...Value.Errors(ReleaseReportSchema, report)][0];
  const where = first?.instancePath ? ` at ${first.instancePath}` : '';
  throw new PayloadError(`invalid release report${where}: ${first?.message ?? 'not a release report'}`);
}

/** Records ticket actions (validated as they are made) for the host to apply in one transaction. */
export function recordActions(
  find: (dedupKey: string) => Promise<TicketView | null> = async () => null,
  findByCardKey: (cardKey: string) => Promise<TicketView | null> = async () => null,
): ActionRecorder {
  const actions: TicketAction[] = [];
  const releaseReports: ReleaseReport[] = [];
  let closed = false;
  const open = () => {
    if (closed)
      throw new PluginContextClosed('the plugin context is closed (the handler returned or timed out)');
  };
  const push = (a: TicketAction) => {
    open();
    actions.push(check(a));
  };
  const releases: ReleaseActions = {
    report: (report) => {
      open();
      releaseReports.push(checkReport(report));
    },
  };
  const tickets: TicketActions = {
    raise: (ticket) => push({ op: 'raise', ticket }),
    recover: (ref, info = {}) => push({ op: 'recover', ref, ...info }),
    resolve: (ref, info = {}) => push({ op: 'resolve', ref, ...info }),
    reopen: (ref, info = {}) => push({ op: 'reopen', ref, ...info }),
    comment: (ref, body) => push({ op: 'comment', ref, body }),
    update: (ref, fields) => push({ op: 'update', ref, fields }),
    link: (ref, to, kind) => push({ op: 'link', ref, to, kind }),
    find: (dedupKey) => {
      if (closed) return Promise.reject(new PluginContextClosed('the plugin context is closed'));
      return find(dedupKey);
    },
    findByCardKey: (cardKey) => {
      if (closed) return Promise.reject(new PluginContextClosed('the plugin context is closed'));
      return findByCardKey(cardKey);
    },
  };
  return {
    tickets,
    actions,
    releases,
    releaseReports,
    ignore: (reason) => push({ op: 'ignore', reason }),
    close: () => {
      closed = true;
    },
  };
}
