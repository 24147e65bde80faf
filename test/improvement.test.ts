/**
 * Review and improve against a real server and PostgreSQL: a cadence set, a review scheduled and
 * recorded, items raised from it with their links, moved along their status to a closing result,
 * a stale revision refused, bad input named, every change a board event a late screen catches up
 * on, and items raised at once numbered once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/events.ts';
import type { ImprovementItem, ImprovementOverview, Review } from '../protocol/improvement.ts';
import type { Release } from '../protocol/releases.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
let dev: ApiClient;
let ams: ApiClient;
beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Release procedure')).id;
  dev = await memberWithRole(server, boardId, 'developer', 'dee');
  ams = await memberWithRole(server, boardId, 'maintenance', 'max');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/improvement`;
const today = () => new Date().toISOString().slice(0, 10);
const overview = () => server.admin.ok(server.admin.get<ImprovementOverview>(base()));
const events = async (after: number) =>
  server.admin.ok(server.admin.get<BoardEvent[]>(`/api/boards/${boardId}/events?after=${after}`));
const lastSeq = async () => (await events(0)).at(-1)?.seq ?? 0;

async function release(version: string): Promise<Release> {
  return server.admin.ok(
    server.admin.post<Release>(`/api/boards/${boardId}/releases`, { version, stream: 'development' }),
  );
}
async function raise(body: Record<string, unknown>, by: ApiClient = ams): Promise<ImprovementItem> {
  return by.ok(by.post<ImprovementItem>(`${base()}/items`, body));
}
const move = (item: ImprovementItem, body: Record<string, unknown>, by: ApiClient = ams) =>
  by.post<ImprovementItem>(`${base()}/items/${item.id}/status`, { revision: item.revision, ...body });

describe('reviewing the release procedure', () => {
  it('is not due before a cadence is set; then due a cadence on, and a scheduled review brings it forward', async () => {
    const first = await overview();
    expect(first.settings).toEqual({ cadenceWeeks: 4, since: null, custom: false });
    expect(first.schedule).toMatchObject({ nextDueOn: null, overdue: false, lastHeldAt: null });

    const set = await ams.put(`${base()}/settings`, { cadenceWeeks: 6 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ cadenceWeeks: 6, since: today(), custom: true });
    const due = (await overview()).schedule;
    expect(due.cadenceDueOn).not.toBeNull();
    expect(due.overdue).toBe(false);

    const scheduled = await ams.post<Review>(`${base()}/reviews`, {
      scheduledOn: '2026-01-05',
      title: 'Q1 review',
    });
    expect(scheduled.status).toBe(201);
    const after = await overview();
    // a review scheduled in the past and not held: overdue from its day
    expect(after.schedule).toMatchObject({
      nextScheduledOn: '2026-01-05',
      nextDueOn: '2026-01-05',
      overdue: true,
    });
    expect(after.schedule.daysOverdue).toBeGreaterThan(0);
    // not held, so it may be taken off the schedule
    const gone = await ams.delete(`${base()}/reviews/${scheduled.body.id}`);
    expect(gone.status).toBe(204);
    expect((await overview()).reviews.map((r) => r.id)).not.toContain(scheduled.body.id);
  });

  it('records a review with attendees, minutes and the releases reviewed; it counts in this quarter, and stays', async () => {
    const r1 = await release('1.0.0');
    const scheduled = await server.admin.ok(
      ams.post<Review>(`${base()}/reviews`, { scheduledOn: today(), title: 'December review' }),
    );
    expect(scheduled.heldAt).toBeNull();
    const held = new Date().toISOString();
    const recorded = await ams.patch<Review>(`${base()}/reviews/${scheduled.id}`, {
      revision: scheduled.revision,
      heldAt: held,
      attendeeIds: [dev.userId, ams.userId, ams.userId],
      minutes: '## Findings\n- rollback took 40 min',
      releaseIds: [r1.id],
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({
      heldAt: held,
      minutes: '## Findings\n- rollback took 40 min',
      releases: [{ releaseId: r1.id, version: '1.0.0' }],
      revision: scheduled.revision + 1,
    });
    expect(recorded.body.attendees.map((a) => a.userId).sort()).toEqual([dev.userId, ams.userId].sort());

    const o = await overview();
    expect(o.schedule).toMatchObject({ lastHeldAt: held, daysSinceLastReview: 0, overdue: false });
    expect(o.reviewsPerQuarter).toHaveLength(4);
    expect(o.reviewsPerQuarter.at(-1)?.held).toBe(1);

    // the same revision again is stale; a held review is the record and is not deleted
    const stale = await ams.patch(`${base()}/reviews/${scheduled.id}`, {
      revision: scheduled.revision,
      minutes: 'x',
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      error: 'STALE_VERSION',
      field: 'revision',
      revision: scheduled.revision + 1,
    });
    const kept = await ams.delete(`${base()}/reviews/${scheduled.id}`);
    expect(kept.status).toBe(409);
    expect(kept.body).toMatchObject({ field: 'reviewId' });
  });

  it('refuses a review recorded ahead of time, or with strangers and other boards’ releases, naming the field', async () => {
    const other = await server.admin.createBoard('Elsewhere');
    const foreign = await server.admin.ok(
      server.admin.post<Release>(`/api/boards/${other.id}/releases`, {
        version: '9.9.9',
        stream: 'development',
      }),
    );
    const outsider = await memberWithRole(server, other.id, 'developer');
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'scheduledOn'],
      [{ heldAt: new Date(Date.now() + 86_400_000).toISOString() }, 'heldAt'],
      [{ scheduledOn: today(), attendeeIds: [outsider.userId] }, 'attendeeIds'],
      [{ scheduledOn: today(), releaseIds: [foreign.id] }, 'releaseIds'],
      [{ scheduledOn: '2026-02-30' }, 'scheduledOn'],
      [{ scheduledOn: today(), title: '   ' }, 'title'],
      [{ scheduledOn: today(), surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of cases) {
      const res = await ams.post(`${base()}/reviews`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toMatchObject({ field });
    }
  });
});

describe('the improvement register', () => {
  it('raises an item from a review, with its links, and takes it to done with a result', async () => {
    const review = await ams.ok(ams.post<Review>(`${base()}/reviews`, { heldAt: new Date().toISOString() }));
    const r2 = await release('2.0.0');
    const incident = await server.admin.createCard(boardId, {
      title: 'Rollback slow',
      type: 'incident',
      stream: 'maintenance',
    });
    const problem = await server.admin.createCard(boardId, {
      title: 'No rollback script',
      type: 'problem',
      stream: 'maintenance',
    });
    const seq = await lastSeq();

    const item = await raise({
      title: 'Automate rollback',
      reviewId: review.id,
      ownerId: dev.userId,
      baselineText: 'rollback by hand',
      baselineValue: 40,
      targetText: 'scripted rollback',
      targetValue: 5,
      unit: 'min',
      dueQuarter: '2027-Q1',
      releaseIds: [r2.id],
      cardIds: [incident.id, problem.id, incident.id],
    });
    expect(item).toMatchObject({
      title: 'Automate rollback',
      status: 'proposed',
      reviewId: review.id,
      owner: { userId: dev.userId },
      baseline: { text: 'rollback by hand', value: 40 },
      target: { text: 'scripted rollback', value: 5 },
      unit: 'min',
      dueQuarter: '2027-Q1',
      releases: [{ releaseId: r2.id, version: '2.0.0' }],
      late: false,
      targetMet: null,
    });
    expect(item.cards.map((c) => c.key).sort()).toEqual([incident.key, problem.key].sort());
    expect(item.number).toBeGreaterThan(0);

    // the owner (a developer) moves it along and closes it; closing needs a result
    let now = await dev.ok(move(item, { status: 'planned' }, dev));
    now = await dev.ok(move(now, { status: 'in_progress' }, dev));
    const noResult = await move(now, { status: 'done' }, dev);
    expect(noResult.status).toBe(400);
    expect(noResult.body).toMatchObject({ field: 'result' });
    const done = await dev.ok(
      move(now, { status: 'done', result: 'rollback script in the pipeline', resultValue: 4 }, dev),
    );
    expect(done).toMatchObject({
      status: 'done',
      result: 'rollback script in the pipeline',
      resultValue: 4,
      targetMet: true,
    });
    expect(done.closedAt).not.toBeNull();

    // closed stays closed
    const reopen = await move(done, { status: 'in_progress' });
    expect(reopen.status).toBe(409);
    expect(reopen.body).toMatchObject({ field: 'status' });
    const edit = await ams.patch(`${base()}/items/${item.id}`, { revision: done.revision, title: 'x' });
    expect(edit.status).toBe(409);

    // every change is a typed board event, in order: a screen that was away catches up on them all
    const caught = (await events(seq)).filter((e) => e.type === 'improvement.item_changed');
    expect(
      caught.map((e) =>
        e.type === 'improvement.item_changed' ? [e.payload.change, e.payload.item.status] : null,
      ),
    ).toEqual([
      ['raised', 'proposed'],
      ['status', 'planned'],
      ['status', 'in_progress'],
      ['status', 'done'],
    ]);
  });

  it('refuses a stale status change with 409 STALE_VERSION; of two moves on one revision one wins', async () => {
    const item = await raise({
      title: 'Fewer hotfixes',
      ownerId: ams.userId,
      targetText: 'half',
      dueQuarter: '2027-Q2',
    });
    const [a, b] = await Promise.all([
      move(item, { status: 'planned' }),
      move(item, { status: 'dropped', result: 'no' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({
      error: 'STALE_VERSION',
      field: 'revision',
      revision: item.revision + 1,
    });
    const now = await server.admin.ok(server.admin.get<ImprovementItem>(`${base()}/items/${item.id}`));
    expect(now.revision).toBe(item.revision + 1);
  });

  it('planning needs an owner, a due quarter and a target; a planned item keeps them', async () => {
    const bare = await raise({ title: 'Half-formed idea' });
    const res = await move(bare, { status: 'planned' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'ownerId' });
    const ready = await ams.ok(
      ams.patch<ImprovementItem>(`${base()}/items/${bare.id}`, {
        revision: bare.revision,
        ownerId: ams.userId,
        dueQuarter: '2026-Q1',
        targetValue: 2,
      }),
    );
    const planned = await ams.ok(move(ready, { status: 'planned' }));
    // its due quarter has passed and it is open: late
    expect(planned.late).toBe(true);
    const cleared = await ams.patch(`${base()}/items/${bare.id}`, {
      revision: planned.revision,
      dueQuarter: null,
    });
    expect(cleared.status).toBe(400);
    expect(cleared.body).toMatchObject({ field: 'dueQuarter' });
  });

  it('filters by status and quarter', async () => {
    await raise({ title: 'Filter me', dueQuarter: '2031-Q3' });
    const byQuarter = await server.admin.ok(
      server.admin.get<ImprovementItem[]>(`${base()}/items?quarter=2031-Q3`),
    );
    expect(byQuarter.map((i) => i.title)).toEqual(['Filter me']);
    const done = await server.admin.ok(server.admin.get<ImprovementItem[]>(`${base()}/items?status=done`));
    expect(done.every((i) => i.status === 'done')).toBe(true);
    const bad = await server.admin.get(`${base()}/items?quarter=2031-Q5`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'quarter' });
  });

  it('refuses bad items with a 400 naming the field', async () => {
    const story = await server.admin.createCard(boardId, { title: 'A story', type: 'story' });
    const other = await server.admin.createBoard('Other register');
    const stranger = await memberWithRole(server, other.id, 'developer');
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'title'],
      [{ title: 'x', dueQuarter: '2027-Q5' }, 'dueQuarter'],
      [{ title: 'x', dueQuarter: '27-Q1' }, 'dueQuarter'],
      [{ title: 'x', ownerId: stranger.userId }, 'ownerId'],
      [{ title: 'x', cardIds: [story.id] }, 'cardIds'],
      [{ title: 'x', releaseIds: ['00000000-0000-4000-8000-000000000000'] }, 'releaseIds'],
      [{ title: 'x', reviewId: '00000000-0000-4000-8000-000000000000' }, 'reviewId'],
      [{ title: 'x', targetValue: 'ten' }, 'targetValue'],
      [{ title: 'x', baselineValue: 1e13 }, 'baselineValue'],
    ];
    for (const [body, field] of cases) {
      const res = await ams.post(`${base()}/items`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toMatchObject({ field });
    }
  });

  it('numbers items raised at once one each, in order', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => raise({ title: `Raced ${i}` })));
    const numbers = made.map((i) => i.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(8);
    expect(numbers.at(-1)! - numbers[0]!).toBe(7);
  });

  it('a developer updates the items they own, not others’, and does not hand them on', async () => {
    const mine = await raise({ title: 'Dee’s item', ownerId: dev.userId });
    const theirs = await raise({ title: 'Max’s item', ownerId: ams.userId });
    const ok = await dev.patch<ImprovementItem>(`${base()}/items/${mine.id}`, {
      revision: mine.revision,
      targetText: '90% automated',
    });
    expect(ok.status).toBe(200);
    const handOn = await dev.patch(`${base()}/items/${mine.id}`, {
      revision: ok.body.revision,
      ownerId: ams.userId,
    });
    expect(handOn.status).toBe(403);
    expect(handOn.body).toMatchObject({ field: 'ownerId' });
    const notMine = await dev.patch(`${base()}/items/${theirs.id}`, {
      revision: theirs.revision,
      title: 'mine now',
    });
    expect(notMine.status).toBe(403);
    const del = await dev.delete(`${base()}/items/${mine.id}`);
    expect(del.status).toBe(403);
  });
});
