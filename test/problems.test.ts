/**
 * Problems and known errors against a real server and PostgreSQL: linking cards by hand (and the
 * same link raced), a problem's record, the known-error database, the workaround an incident shows,
 * major incidents with their timeline and report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEvent } from '../protocol/events.ts';
import type { Card } from '../protocol/model.ts';
import type {
  CardLink,
  KnownError,
  MajorIncident,
  MajorIncidentReport,
  ProblemRecord,
  TimelineEntry,
  WorkaroundMatch,
} from '../protocol/problems.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
let boardId: string;
beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service desk')).id;
});
afterAll(() => server.close());

const cardUrl = (id: string, rest = '') => `/api/boards/${boardId}/cards/${id}${rest}`;
const incident = (title = 'Checkout times out', priority = 'high') =>
  server.admin.createCard(boardId, { title, type: 'incident', stream: 'maintenance', priority });
const problem = (title = 'Connection pool exhausted', priority = 'medium') =>
  server.admin.createCard(boardId, { title, type: 'problem', stream: 'maintenance', priority });
const linksOf = (id: string) => server.admin.ok(server.admin.get<CardLink[]>(cardUrl(id, '/links')));
const history = (id: string) => server.admin.ok(server.admin.get<BoardEvent[]>(cardUrl(id, '/history')));
const card = (id: string) => server.admin.ok(server.admin.get<Card>(cardUrl(id)));

describe('linking two cards by hand', () => {
  it('links an incident to its problem and a fix, each side reading the link its own way', async () => {
    const i = await incident();
    const p = await problem();
    const fix = await server.admin.createCard(boardId, { title: 'Raise the pool size', type: 'story' });
    const made = await server.admin.post<CardLink[]>(cardUrl(i.id, '/links'), {
      targetId: p.id,
      kind: 'has_problem',
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual([
      expect.objectContaining({
        cardId: p.id,
        key: p.key,
        kind: 'has_problem',
        state: 'Backlog',
        done: false,
      }),
    ]);
    await server.admin.ok(server.admin.post(cardUrl(fix.id, '/links'), { targetId: p.id, kind: 'fixes' }));

    const fromProblem = await linksOf(p.id);
    expect(fromProblem.map((l) => [l.key, l.kind])).toEqual([
      [i.key, 'problem_for'],
      [fix.key, 'fixed_by'],
    ]);
    // the pair is one board event, on the card the stored link starts from (the problem)
    const linked = (await history(p.id)).filter((e) => e.type === 'card.linked');
    expect(linked).toHaveLength(1);
    expect(linked[0]?.payload).toMatchObject({ cardId: p.id, linkedCardId: i.id, kind: 'problem_for' });
  });

  it('refuses bad links with a 400 naming the field', async () => {
    const i = await incident();
    const other = await server.admin.createBoard('Other board');
    const elsewhere = await server.admin.createCard(other.id, { title: 'Not here' });
    const cases: [unknown, string][] = [
      [{ targetId: i.id, kind: 'relates_to' }, 'targetId'],
      [{ targetId: elsewhere.id, kind: 'relates_to' }, 'targetId'],
      [{ targetId: '00000000-0000-4000-8000-000000000000', kind: 'relates_to' }, 'targetId'],
      [{ targetId: 'nope', kind: 'relates_to' }, 'targetId'],
      [{ targetId: elsewhere.id, kind: 'blocks' }, 'kind'],
      [{ kind: 'relates_to' }, 'targetId'],
      [{ targetId: elsewhere.id, kind: 'relates_to', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await server.admin.post<{ field: string }>(cardUrl(i.id, '/links'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
    }
    expect(await linksOf(i.id)).toEqual([]);
    const bad = await server.admin.delete<{ field: string }>(
      cardUrl(i.id, `/links/${elsewhere.id}?kind=nope`),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('kind');
  });

  it('records the same link once when it is made many times at once, from both sides', async () => {
    const a = await incident('Race A');
    const b = await incident('Race B');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        n % 2 === 0
          ? server.admin.post(cardUrl(a.id, '/links'), { targetId: b.id, kind: 'relates_to' })
          : server.admin.post(cardUrl(b.id, '/links'), { targetId: a.id, kind: 'relates_to' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(await linksOf(a.id)).toHaveLength(1);
    expect(await linksOf(b.id)).toHaveLength(1);
    const events = [...(await history(a.id)), ...(await history(b.id))].filter(
      (e) => e.type === 'card.linked',
    );
    expect(events).toHaveLength(1);
  });

  it('takes a link away once, from either side, as a board event', async () => {
    const i = await incident();
    const p = await problem();
    await server.admin.ok(server.admin.post(cardUrl(p.id, '/links'), { targetId: i.id, kind: 'causes' }));
    expect((await server.admin.delete(cardUrl(p.id, `/links/${i.id}?kind=causes`))).status).toBe(204);
    expect(await linksOf(i.id)).toEqual([]);
    expect((await server.admin.delete(cardUrl(i.id, `/links/${p.id}?kind=caused_by`))).status).toBe(404);
    const unlinked = (await history(i.id)).filter((e) => e.type === 'card.unlinked');
    expect(unlinked).toHaveLength(1);
    expect(unlinked[0]?.payload).toMatchObject({ linkedCardId: p.id, kind: 'caused_by' });
  });

  it('raises an open problem to the priority of a more urgent incident linked to it, and never lowers it', async () => {
    const p = await problem('Disk fills up', 'medium');
    const critical = await incident('Orders lost', 'critical');
    const low = await incident('Slow report', 'low');
    await server.admin.ok(
      server.admin.post(cardUrl(p.id, '/links'), { targetId: low.id, kind: 'problem_for' }),
    );
    expect((await card(p.id)).priority).toBe('medium');
    await server.admin.ok(
      server.admin.post(cardUrl(critical.id, '/links'), { targetId: p.id, kind: 'caused_by' }),
    );
    const after = await card(p.id);
    expect(after.priority).toBe('critical');
    const raised = (await history(p.id)).find((e) => e.type === 'card.updated');
    expect(raised?.payload).toMatchObject({
      changes: [{ field: 'priority', from: 'medium', to: 'critical' }],
    });
  });
});

describe('a problem’s record and the known-error database', () => {
  it('records root cause, workaround and status as the card’s own change, and refuses a known error without a workaround', async () => {
    const p = await problem('Pool exhausted under load');
    expect(await server.admin.ok(server.admin.get<ProblemRecord>(cardUrl(p.id, '/problem')))).toMatchObject({
      rootCause: '',
      workaround: '',
      status: 'none',
    });
    const refused = await server.admin.patch<{ field: string }>(cardUrl(p.id, '/problem'), {
      status: 'known_error',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('workaround');

    const saved = await server.admin.ok(
      server.admin.patch<ProblemRecord>(cardUrl(p.id, '/problem'), {
        rootCause: 'The pool is sized for 10 connections',
        workaround: 'Restart the checkout pods, then drain the queue',
        signature: 'service:checkout',
        status: 'known_error',
      }),
    );
    expect(saved).toMatchObject({ status: 'known_error', signature: 'service:checkout' });
    expect((await card(p.id)).version).toBe(p.version + 1);
    const updated = (await history(p.id)).find((e) => e.type === 'card.updated');
    expect(updated?.payload).toMatchObject({
      changes: expect.arrayContaining([{ field: 'status', from: 'none', to: 'known_error' }]),
    });
    // the same edit again changes nothing
    await server.admin.ok(server.admin.patch(cardUrl(p.id, '/problem'), { status: 'known_error' }));
    expect((await card(p.id)).version).toBe(p.version + 1);
  });

  it('answers bad record edits with a 400 naming the field', async () => {
    const p = await problem();
    const story = await server.admin.createCard(boardId, { title: 'Not a problem' });
    const cases: [string, unknown, string][] = [
      [p.id, { status: 'fixed' }, 'status'],
      [p.id, { rootCause: 'x'.repeat(10_001) }, 'rootCause'],
      [p.id, { signature: 7 }, 'signature'],
      [p.id, { colour: 'red' }, 'colour'],
      [story.id, { rootCause: 'why' }, 'cardId'],
    ];
    for (const [id, body, field] of cases) {
      const res = await server.admin.patch<{ field: string }>(cardUrl(id, '/problem'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it('finds known errors by any words of title, root cause, workaround or signature, as prefixes; not other problems', async () => {
    const b = (await server.admin.createBoard('Known errors')).id;
    const make = async (title: string, record: Record<string, string>) => {
      const c = await server.admin.createCard(b, { title, type: 'problem' });
      await server.admin.ok(server.admin.patch(`/api/boards/${b}/cards/${c.id}/problem`, record));
      return c;
    };
    const pool = await make('Database pool exhausted', {
      rootCause: 'Leaked connections in the report job',
      workaround: 'Restart the report worker',
      status: 'known_error',
    });
    const cert = await make('TLS certificate expired', {
      workaround: 'Renew by hand with certbot',
      signature: 'service:edge',
      status: 'known_error',
    });
    await make('Pool sizing under investigation', { rootCause: 'pool', status: 'investigating' });
    const search = (q: string) =>
      server.admin.ok(
        server.admin.get<KnownError[]>(`/api/boards/${b}/known-errors?q=${encodeURIComponent(q)}`),
      );

    expect((await search('')).map((k) => k.key).sort()).toEqual([pool.key, cert.key].sort());
    expect((await search('pool')).map((k) => k.key)).toEqual([pool.key]);
    expect((await search('restart rep')).map((k) => k.key)).toEqual([pool.key]);
    expect((await search('certb')).map((k) => k.key)).toEqual([cert.key]);
    expect((await search('edge')).map((k) => k.key)).toEqual([cert.key]);
    expect(await search("'):* & | !")).toHaveLength(2);
    expect(await search('nothing-like-this')).toEqual([]);
    const tooMany = await server.admin.get<{ field: string }>(`/api/boards/${b}/known-errors?limit=51`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('limit');
  });
});

describe('an incident that matches a known error', () => {
  it('shows the workaround when linked with it, or when the signature names its alert’s service', async () => {
    const p = await problem('Queue consumer stalls');
    await server.admin.ok(
      server.admin.patch(cardUrl(p.id, '/problem'), {
        workaround: 'Restart the consumer',
        signature: 'service:orders',
        status: 'known_error',
      }),
    );
    const linked = await incident('Orders not shipped');
    const alerted = await incident('Orders backlog growing');
    const unrelated = await incident('Search slow');
    await server.admin.ok(
      server.admin.post(cardUrl(linked.id, '/links'), { targetId: p.id, kind: 'has_problem' }),
    );
    // an alert plugin records the service on the incident it raises
    await server.db
      .updateTable('cards')
      .set({ source: JSON.stringify({ plugin: 'alertmanager', kind: 'incident', service: 'orders' }) })
      .where('id', '=', alerted.id)
      .execute();
    const workarounds = (id: string) =>
      server.admin.ok(server.admin.get<WorkaroundMatch[]>(cardUrl(id, '/workarounds')));

    expect(await workarounds(linked.id)).toEqual([
      {
        knownError: expect.objectContaining({ key: p.key, workaround: 'Restart the consumer' }),
        match: 'linked',
      },
    ]);
    expect((await workarounds(alerted.id)).map((w) => w.match)).toEqual(['signature']);
    expect(await workarounds(unrelated.id)).toEqual([]);

    // no longer a known error: no workaround to show
    await server.admin.ok(server.admin.patch(cardUrl(p.id, '/problem'), { status: 'resolved' }));
    expect(await workarounds(linked.id)).toEqual([]);
  });
});

describe('major incidents', () => {
  it('flags an incident major, builds its timeline from the board events of it and its problem, and writes the report', async () => {
    const i = await incident('Payments down *everywhere*', 'critical');
    const p = await problem('Expired <b>certificate</b>');
    await server.admin.ok(server.admin.post(cardUrl(i.id, '/links'), { targetId: p.id, kind: 'caused_by' }));
    await server.admin.ok(
      server.admin.patch(cardUrl(p.id, '/problem'), {
        rootCause: 'Certificate renewal job was disabled',
        workaround: 'Renew the certificate by hand',
        status: 'known_error',
      }),
    );
    await server.admin.ok(server.admin.post(cardUrl(i.id, '/comments'), { body: 'Paged the payments lead' }));

    const flagged = await server.admin.ok(
      server.admin.patch<MajorIncident>(cardUrl(i.id, '/major-incident'), {
        major: true,
        impact: 'No card payments for 40 minutes',
        actions: 'Alert on certificate expiry\nRe-enable the renewal job',
        reviewNotes: 'Renewal was switched off in the last migration',
        runbookChangeUrl: 'https://git.example.com/runbooks/pull/42',
      }),
    );
    expect(flagged.major).toBe(true);
    expect(flagged.declaredAt).not.toBeNull();
    expect((await history(i.id)).find((e) => e.type === 'card.updated')?.payload).toMatchObject({
      changes: expect.arrayContaining([{ field: 'majorIncident', from: false, to: true }]),
    });

    const timeline = await server.admin.ok(server.admin.get<TimelineEntry[]>(cardUrl(i.id, '/timeline')));
    const seqs = timeline.map((t) => t.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(timeline.map((t) => [t.cardKey, t.type])).toEqual(
      expect.arrayContaining([
        [i.key, 'card.created'],
        [p.key, 'card.created'],
        [p.key, 'card.updated'],
        [i.key, 'card.commented'],
      ]),
    );

    const { markdown } = await server.admin.ok(
      server.admin.get<MajorIncidentReport>(cardUrl(i.id, '/major-incident/report')),
    );
    expect(markdown).toContain(`# Major incident report: ${i.key} Payments down \\*everywhere\\*`);
    expect(markdown).toContain('## Impact\n\nNo card payments for 40 minutes');
    expect(markdown).toContain('Expired \\<b\\>certificate\\</b\\>');
    expect(markdown).toContain('Certificate renewal job was disabled');
    expect(markdown).toContain('- [ ] Re\\-enable the renewal job');
    expect(markdown).toContain('Runbook change: <https://git.example.com/runbooks/pull/42>');
    expect(markdown).toContain('commented: Paged the payments lead');
  });

  it('answers bad major-incident edits with a 400 naming the field', async () => {
    const i = await incident();
    const p = await problem();
    const cases: [string, unknown, string][] = [
      [i.id, { runbookChangeUrl: 'javascript:alert(1)' }, 'runbookChangeUrl'],
      [i.id, { runbookChangeUrl: 'not a url' }, 'runbookChangeUrl'],
      [i.id, { major: 'yes' }, 'major'],
      [i.id, { impact: 'x'.repeat(5_001) }, 'impact'],
      [p.id, { major: true }, 'cardId'],
    ];
    for (const [id, body, field] of cases) {
      const res = await server.admin.patch<{ field: string }>(cardUrl(id, '/major-incident'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect((await server.admin.get(cardUrl(p.id, '/major-incident/report'))).status).toBe(400);
  });
});
