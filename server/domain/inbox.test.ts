import { describe, expect, it } from 'vitest';
import type { BoardEvent, BoardEventOf } from '../../protocol/events.ts';
import type { Card } from '../../protocol/model.ts';
import { mentionToken } from '../../protocol/rules/mentions.ts';
import { type InboxFacts, inboxOutcome, namedIn, plainExcerpt } from './inbox.ts';

const ANN = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';
const CAT = '00000000-0000-4000-8000-00000000000c';
const OUTSIDER = '00000000-0000-4000-8000-0000000000ff';
const BOARD = '00000000-0000-4000-8000-000000000b0a';
const CARD = '00000000-0000-4000-8000-0000000000ca';
const COLUMN = '00000000-0000-4000-8000-0000000000c0';
const RELEASE = '00000000-0000-4000-8000-0000000000e1';
const mention = (id: string, name: string) => mentionToken({ id, name });

/** A board whose members are Ann, Bob and Cat; the card's watchers and assignee as given. */
function board(
  opts: { watchers?: string[]; assignee?: string | null; releaseOwner?: string } = {},
): InboxFacts {
  return {
    watchersOf: () => new Set(opts.watchers ?? []),
    mayRead: (id) => [ANN, BOB, CAT].includes(id),
    assigneeOf: () => opts.assignee ?? null,
    releaseOwnerOf: () => opts.releaseOwner ?? null,
    columnName: (id) => (id === COLUMN ? 'In progress' : null),
  };
}

function by(
  actorId: string | null,
  type: BoardEvent['type'],
  payload: unknown,
  cardId: string | null = CARD,
): BoardEvent {
  return {
    type,
    boardId: BOARD,
    seq: 7,
    cardId,
    actor: { id: actorId, label: actorId ? 'Someone' : 'SLA' },
    at: '2026-12-05T10:00:00.000Z',
    payload,
  } as BoardEvent;
}

const card = (extra: Partial<Card> = {}) =>
  ({ id: CARD, key: 'OPS-1', title: 'Payments fail', description: '', assigneeId: null, ...extra }) as Card;
const created = (actor: string, extra: Partial<Card> = {}) =>
  by(actor, 'card.created', { card: card(extra) });
const edited = (actor: string, changes: BoardEventOf<'card.updated'>['payload']['changes']) =>
  by(actor, 'card.updated', { card: card(), changes });
const commented = (actor: string, body: string) =>
  by(actor, 'card.commented', {
    comment: { id: CARD, cardId: CARD, author: 'Someone', body, createdAt: '2026-12-05T10:00:00.000Z' },
  });
const moved = (actor: string, to: string | null) =>
  by(actor, 'card.moved', {
    card: {
      id: CARD,
      version: 2,
      rank: 'a1',
      columnId: to,
      sprintId: null,
      stream: 'maintenance',
      startedAt: null,
      doneAt: null,
      updatedAt: '',
    },
    from: { rank: 'a0', columnId: null, sprintId: null, stream: 'maintenance' },
  });

const told = (e: BoardEvent, facts: InboxFacts) =>
  inboxOutcome(e, facts).notices.map((n) => [n.userId, n.kind]);

describe('who hears of an assignment', () => {
  it('the new assignee of a created card, and they start watching it with its creator', () => {
    const outcome = inboxOutcome(created(ANN, { assigneeId: BOB }), board());
    expect(outcome.notices).toEqual([
      { userId: BOB, cardId: CARD, kind: 'assigned', summary: 'assigned you a new card' },
    ]);
    expect(outcome.watch.map((w) => w.userId).sort()).toEqual([ANN, BOB].sort());
  });

  it('the new assignee of an edit, not the one who assigned themselves', () => {
    expect(told(edited(ANN, [{ field: 'assigneeId', from: null, to: BOB }]), board())).toEqual([
      [BOB, 'assigned'],
    ]);
    expect(told(edited(BOB, [{ field: 'assigneeId', from: null, to: BOB }]), board())).toEqual([]);
  });

  it('nobody who may not read the board', () => {
    expect(told(edited(ANN, [{ field: 'assigneeId', from: null, to: OUTSIDER }]), board())).toEqual([]);
  });
});

describe('who hears of a mention', () => {
  it('everyone mentioned in a comment, once each, but not the writer nor a non-member', () => {
    const body = `${mention(BOB, 'Bob')} and ${mention(BOB, 'Bob')}, ${mention(ANN, 'Ann')}, ${mention(OUTSIDER, 'Eve')} look`;
    const outcome = inboxOutcome(commented(ANN, body), board());
    expect(outcome.notices.map((n) => [n.userId, n.kind])).toEqual([[BOB, 'mentioned']]);
    expect(outcome.notices[0]!.summary).toBe('mentioned you in a comment: @Bob and @Bob, @Ann, @Eve look');
  });

  it('only the mentions an edit of the description adds', () => {
    const e = edited(ANN, [
      {
        field: 'description',
        from: `ask ${mention(BOB, 'Bob')}`,
        to: `ask ${mention(BOB, 'Bob')} and ${mention(CAT, 'Cat')}`,
      },
    ]);
    expect(told(e, board())).toEqual([[CAT, 'mentioned']]);
  });

  it('a mention outranks watching: one notice per person and event', () => {
    const e = commented(ANN, `${mention(BOB, 'Bob')} see this`);
    expect(told(e, board({ watchers: [BOB, CAT] }))).toEqual([
      [BOB, 'mentioned'],
      [CAT, 'watching'],
    ]);
  });

  it('names the people a membership check needs', () => {
    expect(namedIn(commented(ANN, `${mention(BOB, 'Bob')} ${mention(CAT, 'Cat')}`))).toEqual([BOB, CAT]);
    expect(namedIn(created(ANN, { assigneeId: CAT, description: mention(BOB, 'B') }))).toEqual([CAT, BOB]);
  });
});

describe('who hears that a watched card changed', () => {
  it('its watchers, not the one who changed it', () => {
    expect(told(moved(BOB, COLUMN), board({ watchers: [ANN, BOB] }))).toEqual([[ANN, 'watching']]);
  });

  it('says where it went and what changed', () => {
    expect(inboxOutcome(moved(BOB, COLUMN), board({ watchers: [ANN] })).notices[0]!.summary).toBe(
      'moved it to In progress',
    );
    expect(inboxOutcome(moved(BOB, null), board({ watchers: [ANN] })).notices[0]!.summary).toBe(
      'moved it in the backlog',
    );
    const e = edited(BOB, [
      { field: 'title', from: 'a', to: 'b' },
      { field: 'dueDate', from: null, to: '2027-01-01' },
    ]);
    expect(inboxOutcome(e, board({ watchers: [ANN] })).notices[0]!.summary).toBe('changed title, due date');
  });

  it('a commenter starts watching', () => {
    expect(inboxOutcome(commented(CAT, 'on it'), board()).watch).toEqual([{ cardId: CARD, userId: CAT }]);
  });

  it('a watcher who left the board hears nothing', () => {
    expect(told(moved(BOB, COLUMN), board({ watchers: [OUTSIDER] }))).toEqual([]);
  });
});

describe('SLA and hyper-care', () => {
  const stage = (type: 'sla.warning' | 'sla.breached') =>
    by(null, type, { clock: {}, which: 'resolution', dueAt: '2026-12-05T10:00:00.000Z' });

  it('a breach tells the assignee and the watchers, once each', () => {
    const outcome = inboxOutcome(stage('sla.breached'), board({ assignee: BOB, watchers: [BOB, CAT] }));
    expect(outcome.notices.map((n) => [n.userId, n.kind])).toEqual([
      [BOB, 'sla_breached'],
      [CAT, 'sla_breached'],
    ]);
    expect(outcome.notices[0]!.summary).toBe('resolution SLA breached');
  });

  it('a warning on an unassigned, unwatched card tells nobody', () => {
    expect(told(stage('sla.warning'), board())).toEqual([]);
  });

  it('an incident in hyper-care tells whoever planned the release; after hyper-care, nobody', () => {
    const incident = (hypercare: boolean) =>
      by(ANN, 'hypercare.incident', {
        incident: {
          releaseId: RELEASE,
          version: '2.1',
          cardId: CARD,
          cardKey: 'OPS-1',
          stream: 'maintenance',
          hypercare,
          ownerStream: 'development',
        },
      });
    expect(told(incident(true), board({ releaseOwner: CAT }))).toEqual([[CAT, 'hypercare_incident']]);
    expect(told(incident(false), board({ releaseOwner: CAT }))).toEqual([]);
    expect(told(incident(true), board({ releaseOwner: ANN }))).toEqual([]);
  });
});

describe('board-wide events', () => {
  it('a sprint or a column change tells nobody', () => {
    expect(
      inboxOutcome(by(ANN, 'column.deleted', { columnId: COLUMN }, null), board({ watchers: [BOB] })),
    ).toEqual({
      notices: [],
      watch: [],
    });
  });
});

it('an excerpt is one short line', () => {
  expect(plainExcerpt(`a\n\n  b ${'x'.repeat(300)}`)).toHaveLength(140);
  expect(plainExcerpt('line one\nline two')).toBe('line one line two');
});
