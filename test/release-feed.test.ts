/**
 * The release schedule as an iCalendar feed: what a calendar app subscribed with the board's secret
 * feed URL reads, parsed with an iCalendar parser (ical.js), and who may read or rotate it.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedToken, Release } from '../protocol/releases.ts';
import { type ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
let po: ApiClient;
let dev: ApiClient;
beforeAll(async () => {
  server = await startServer({ PUBLIC_URL: 'https://blendboard.example' });
  boardId = (await server.admin.createBoard('Payments')).id;
  po = await memberWithRole(server, boardId, 'product_owner');
  dev = await memberWithRole(server, boardId, 'developer');
});
afterAll(() => server.close());

const base = () => `/api/boards/${boardId}/releases`;
const plan = (version: string, extra: Record<string, unknown> = {}) =>
  po.ok(po.post<Release>(base(), { version, stream: 'development', ...extra }));

/** What a calendar app does: a plain GET of the feed URL, no cookie, no header. */
async function subscribe(feedUrl: string) {
  const res = await fetch(`${server.baseUrl}${feedUrl}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

function events(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: event.startDate.toString(),
      allDay: event.startDate.isDate,
      end: event.endDate.toString(),
      sequence: event.sequence,
      status: vevent.getFirstPropertyValue('status'),
      url: vevent.getFirstPropertyValue('url'),
      lastModified: String(vevent.getFirstPropertyValue('last-modified')),
    };
  });
}

describe('the release calendar feed', () => {
  it('serves each dated release as an all-day event that updates in place and shows cancellations', async () => {
    const token = await po.ok(po.post<FeedToken>(`${base()}/feed-token`));
    expect(token.feedUrl).toBe(`${base()}.ics?token=${token.token}`);
    const first = await plan('1.0.0', {
      targetDate: '2027-01-15',
      userActions: 'Sign in again.',
      changeWindow: 'Sat 02:00–03:00 UTC',
    });
    const second = await plan('1.1.0', { targetDate: '2027-02-01' });
    await plan('2.0.0'); // no target date yet: not on the calendar

    const feed = await subscribe(token.feedUrl);
    expect(feed.status).toBe(200);
    expect(feed.type).toMatch(/^text\/calendar/);
    const [one, two, ...rest] = events(feed.text);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({
      uid: `${first.id}@blendboard.example`,
      summary: 'Release 1.0.0 (planned)',
      start: '2027-01-15',
      end: '2027-01-16',
      allDay: true,
      sequence: first.revision,
      status: 'CONFIRMED',
      url: `https://blendboard.example/boards/${boardId}/releases/${first.id}`,
    });
    expect(one!.description).toContain('Sign in again.');
    expect(one!.description).toContain('Sat 02:00–03:00 UTC');
    expect(two).toMatchObject({ uid: `${second.id}@blendboard.example`, start: '2027-02-01' });

    const cancelled = await po.ok(
      po.patch<Release>(`${base()}/${second.id}`, {
        targetDate: '2027-02-08',
        cancel: { reason: 'Merged into 1.2' },
      }),
    );
    const again = events((await subscribe(token.feedUrl)).text);
    const moved = again.find((e) => e.uid === two!.uid)!;
    expect(moved).toMatchObject({
      summary: 'Release 1.1.0 (cancelled)',
      start: '2027-02-08',
      status: 'CANCELLED',
      sequence: cancelled.revision,
    });
    expect(moved.sequence).toBeGreaterThan(two!.sequence);
    expect(moved.description).toContain('Merged into 1.2');
    expect(Date.parse(moved.lastModified)).toBe(Math.floor(Date.parse(cancelled.updatedAt) / 1000) * 1000);
  });

  it('needs the current feed token or a signed-in member; rotating it cuts the old URL', async () => {
    const old = await po.ok(po.post<FeedToken>(`${base()}/feed-token`));
    expect((await subscribe(old.feedUrl)).status).toBe(200);
    const rotated = await po.ok(po.post<FeedToken>(`${base()}/feed-token`));
    expect(rotated.token).not.toBe(old.token);
    expect((await subscribe(old.feedUrl)).status).toBe(401);
    expect((await subscribe(rotated.feedUrl)).status).toBe(200);
    expect((await subscribe(`${base()}.ics`)).status).toBe(401);
    expect((await subscribe(`${base()}.ics?token=made-up`)).status).toBe(401);
    // a board's token does not open another board's feed
    const other = (await server.admin.createBoard('Other')).id;
    expect((await subscribe(`/api/boards/${other}/releases.ics?token=${rotated.token}`)).status).toBe(401);

    const bySession = await dev.get<string>(`${base()}.ics`);
    expect(bySession.status).toBe(200);
    expect(events(bySession.body).length).toBeGreaterThan(0);
    const apiToken = await dev.ok(dev.post<{ token: string }>('/api/tokens', { name: 'calendar' }));
    expect((await dev.withToken(apiToken.token).get(`${base()}.ics`)).status).toBe(200);
    const outsider = await memberWithRole(server, other, 'product_owner');
    expect((await outsider.get(`${base()}.ics`)).status).toBe(404);
  });

  it('the feed token is kept hashed: the database never holds it', async () => {
    const token = await po.ok(po.post<FeedToken>(`${base()}/feed-token`));
    const rows = await server.db.selectFrom('release_feed_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token.token);
    expect(rows.find((r) => r.board_id === boardId)?.prefix).toBe(token.prefix);
  });
});
