/**
 * Every built-in plugin, driven with its fixtures through the real inbound endpoint and
 * authenticated the way the tool does it; plus the recurring-incident rule raising a problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../protocol/model.ts';
import type { InstallationWithSecret, PluginTicket } from '../../protocol/plugin.ts';
import { eventually, startServer, type TestServer } from '../../test/harness.ts';
import {
  deliveries,
  fixture,
  fixtureText,
  hmacHex,
  install,
  intoActiveSprint,
  pluginCards,
  postHook,
  sign,
} from './test-tools.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

async function board(name: string) {
  return server.admin.createBoard(name);
}

/** Waits until every delivery of the installation is processed; returns the board's plugin cards. */
async function settle(
  boardId: string,
  inst: InstallationWithSecret,
  expectedDeliveries: number,
): Promise<Card[]> {
  await eventually(async () => {
    const page = await deliveries(server.admin, boardId, inst.id);
    const done = page.items.filter((d) => d.status === 'processed' || d.status === 'rejected');
    return done.length >= expectedDeliveries ? page : null;
  }, 10_000);
  return pluginCards(server.admin, boardId);
}

const comments = (boardId: string, cardId: string) =>
  server.admin.ok(
    server.admin.get<{ body: string; author: string }[]>(`/api/boards/${boardId}/cards/${cardId}/comments`),
  );
const ticketOf = (boardId: string, cardId: string) =>
  server.admin.ok(server.admin.get<PluginTicket>(`/api/boards/${boardId}/plugin-tickets/${cardId}`));

describe('GitLab CI (Pipeline Hook, X-Gitlab-Token)', () => {
  it('raises a ticket for a failed pipeline, ignores a running one and recovers on success', async () => {
    const b = await board('Ledger');
    const inst = await install(server.admin, b.id, 'gitlab-ci');
    const failed = fixtureText('gitlab-ci', 'pipeline.failed');
    expect((await postHook(server.baseUrl, inst.inboundUrl, failed, sign.gitlab('wrong'))).status).toBe(401);
    expect((await postHook(server.baseUrl, inst.inboundUrl, failed, {})).status).toBe(401);
    expect((await postHook(server.baseUrl, inst.inboundUrl, failed, sign.gitlab(inst.secret))).status).toBe(
      202,
    );
    let [card] = await settle(b.id, inst, 3);
    expect(card).toMatchObject({
      type: 'defect_automated',
      title: 'Pipeline failing on main (finance/ledger-service)',
      priority: 'high',
    });
    expect(card!.description).toMatch(/Failed jobs: test\/unit-tests \(script_failure\)/);
    expect(card!.source).toMatchObject({
      url: 'https://gitlab.example.com/finance/ledger-service/-/pipelines/771045',
    });

    await intoActiveSprint(server.admin, b.id, card!.id);
    const running = fixtureText('gitlab-ci', 'pipeline.running');
    await postHook(server.baseUrl, inst.inboundUrl, running, sign.gitlab(inst.secret));
    const success = fixtureText('gitlab-ci', 'pipeline.success');
    await postHook(server.baseUrl, inst.inboundUrl, success, sign.gitlab(inst.secret));
    [card] = await settle(b.id, inst, 5);
    expect(card!.doneAt).not.toBeNull();
    const log = (await deliveries(server.admin, b.id, inst.id)).items;
    expect(log.map((d) => d.outcome)).toEqual(['resolved', 'ignored', 'created', null, null]);
    expect(log[1]!.summary).toMatch(/pipeline status "running"/);
  });

  it('resolves the ticket of a scheduled pipeline whose name changed between the failing and the green run', async () => {
    const b = await board('Ledger nightly');
    const inst = await install(server.admin, b.id, 'gitlab-ci');
    const send = (name: string) =>
      postHook(server.baseUrl, inst.inboundUrl, fixtureText('gitlab-ci', name), sign.gitlab(inst.secret));
    expect((await send('pipeline.schedule.failed')).status).toBe(202);
    const [failing] = await settle(b.id, inst, 1);
    expect(failing!.doneAt).toBeNull();
    await intoActiveSprint(server.admin, b.id, failing!.id);
    expect((await send('pipeline.schedule.success')).status).toBe(202);
    const cards = await settle(b.id, inst, 2);
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({ id: failing!.id, doneAt: expect.any(String) });
    const log = (await deliveries(server.admin, b.id, inst.id)).items;
    expect(log.map((d) => d.outcome)).toEqual(['resolved', 'created']);
  });

  it('still counts and resolves a ticket opened under the 1.0 key (project, ref, pipeline name)', async () => {
    const b = await board('Ledger upgraded');
    const inst = await install(server.admin, b.id, 'gitlab-ci');
    const send = (name: string, body = fixtureText('gitlab-ci', name)) =>
      postHook(server.baseUrl, inst.inboundUrl, body, sign.gitlab(inst.secret));
    await send('pipeline.failed');
    const [card] = await settle(b.id, inst, 1);
    // As 1.0 stored it: no source in the key.
    await server.db
      .updateTable('plugin_tickets')
      .set({ dedup_key: '3314:main' })
      .where('card_id', '=', card!.id)
      .execute();
    const again = fixture<{ object_attributes: { id: number } }>('gitlab-ci', 'pipeline.failed');
    again.object_attributes.id = 771099;
    await send('', JSON.stringify(again));
    await settle(b.id, inst, 2);
    await intoActiveSprint(server.admin, b.id, card!.id);
    await send('pipeline.success');
    const cards = await settle(b.id, inst, 3);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.doneAt).not.toBeNull();
    expect((await ticketOf(b.id, card!.id)).occurrences).toBe(2);
  });
});

describe('Jenkins (Notification plugin, token in the URL)', () => {
  it('raises a ticket for a failed build and recovers it when the next build succeeds', async () => {
    const b = await board('Checkout');
    const inst = await install(server.admin, b.id, 'jenkins');
    const failure = fixtureText('jenkins', 'build.finalized.failure');
    expect((await postHook(server.baseUrl, inst.inboundUrl, failure)).status).toBe(401);
    expect((await postHook(server.baseUrl, `${inst.inboundUrl}?token=nope`, failure)).status).toBe(401);
    const url = `${inst.inboundUrl}?token=${encodeURIComponent(inst.secret)}`;
    expect((await postHook(server.baseUrl, url, failure)).status).toBe(202);
    await postHook(server.baseUrl, url, fixtureText('jenkins', 'build.started'));
    let [card] = await settle(b.id, inst, 4);
    expect(card).toMatchObject({ title: 'checkout-web failure on master', priority: 'high' });
    expect(card!.description).toMatch(/changes by Mia Torres/);

    await intoActiveSprint(server.admin, b.id, card!.id);
    await postHook(server.baseUrl, url, fixtureText('jenkins', 'build.finalized.success'));
    [card] = await settle(b.id, inst, 5);
    expect(card!.doneAt).not.toBeNull();
    const detail = (await deliveries(server.admin, b.id, inst.id)).items[0]!;
    expect(detail.deliveryKey).toBe('checkout-web#413:FINALIZED');
  });

  it('acts on an endpoint set to send "Job Completed" only', async () => {
    const b = await board('Checkout completed');
    const inst = await install(server.admin, b.id, 'jenkins');
    const url = `${inst.inboundUrl}?token=${encodeURIComponent(inst.secret)}`;
    expect(
      (await postHook(server.baseUrl, url, fixtureText('jenkins', 'build.completed.failure'))).status,
    ).toBe(202);
    let [card] = await settle(b.id, inst, 1);
    expect(card).toMatchObject({ title: 'checkout-web failure on master', doneAt: null });
    await intoActiveSprint(server.admin, b.id, card!.id);
    await postHook(server.baseUrl, url, fixtureText('jenkins', 'build.completed.success'));
    [card] = await settle(b.id, inst, 2);
    expect(card!.doneAt).not.toBeNull();
  });

  it('counts a build once when both COMPLETED and FINALIZED arrive, and recovers it once', async () => {
    const b = await board('Checkout all events');
    const inst = await install(server.admin, b.id, 'jenkins');
    const url = `${inst.inboundUrl}?token=${encodeURIComponent(inst.secret)}`;
    const send = (name: string) => postHook(server.baseUrl, url, fixtureText('jenkins', name));
    await send('build.started');
    await send('build.completed.failure');
    await send('build.finalized.failure');
    const cards = await settle(b.id, inst, 3);
    expect(cards).toHaveLength(1);
    expect((await ticketOf(b.id, cards[0]!.id)).occurrences).toBe(1);
    await intoActiveSprint(server.admin, b.id, cards[0]!.id);
    await send('build.completed.success');
    await send('build.finalized.success');
    await settle(b.id, inst, 5);
    const recovered = (await comments(b.id, cards[0]!.id)).filter((c) => c.body.startsWith('Recovered'));
    expect(recovered).toHaveLength(1);
    const log = (await deliveries(server.admin, b.id, inst.id)).items;
    expect(log.map((d) => d.outcome)).toEqual(['ignored', 'resolved', 'ignored', 'created', 'ignored']);
  });
});

describe('generic CI JSON (bearer token or HMAC signature)', () => {
  it('raises on failed and recovers on succeeded', async () => {
    const b = await board('Mobile');
    const inst = await install(server.admin, b.id, 'generic-ci');
    const failed = fixtureText('generic-ci', 'failed');
    await postHook(server.baseUrl, inst.inboundUrl, failed, sign.bearer(inst.secret));
    let [card] = await settle(b.id, inst, 1);
    expect(card).toMatchObject({
      title: 'Release build failed: signing step',
      priority: 'high',
      stream: 'development',
    });
    await intoActiveSprint(server.admin, b.id, card!.id);
    const succeeded = fixtureText('generic-ci', 'succeeded');
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, succeeded, sign.blendboard(inst.secret, succeeded)))
        .status,
    ).toBe(202);
    [card] = await settle(b.id, inst, 2);
    expect(card!.doneAt).not.toBeNull();
  });
});

describe('Prometheus Alertmanager (webhook v4, bearer token)', () => {
  it('raises one ticket per alert fingerprint and resolves only the alert that resolved', async () => {
    const b = await board('Payments ops');
    const inst = await install(server.admin, b.id, 'alertmanager');
    const firing = fixtureText('alertmanager', 'firing');
    expect((await postHook(server.baseUrl, inst.inboundUrl, firing, sign.bearer('wrong'))).status).toBe(401);
    expect((await postHook(server.baseUrl, inst.inboundUrl, firing, sign.bearer(inst.secret))).status).toBe(
      202,
    );
    // Alertmanager re-sends the same notification on its repeat interval: one delivery.
    const again = await postHook(server.baseUrl, inst.inboundUrl, firing, sign.bearer(inst.secret));
    expect(again).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    let cards = await settle(b.id, inst, 2);
    expect(cards.map((c) => c.title).sort()).toEqual([
      '5xx rate above 5% on payments-api-0',
      '5xx rate above 5% on payments-api-1',
    ]);
    expect(cards.every((c) => c.type === 'incident' && c.classOfService === 'expedite')).toBe(true);

    await postHook(
      server.baseUrl,
      inst.inboundUrl,
      fixtureText('alertmanager', 'resolved'),
      sign.bearer(inst.secret),
    );
    cards = await settle(b.id, inst, 3);
    const zero = cards.find((c) => c.title.endsWith('-0'))!;
    const one = cards.find((c) => c.title.endsWith('-1'))!;
    expect(zero.doneAt).not.toBeNull();
    expect(one.doneAt).toBeNull();

    // The same alert fires again later (a new start time): the resolved ticket reopens.
    const refire = fixture<{ alerts: { startsAt: string }[] }>('alertmanager', 'firing');
    refire.alerts = [{ ...refire.alerts[0]!, startsAt: '2026-11-21T16:00:00.000Z' }];
    await postHook(server.baseUrl, inst.inboundUrl, JSON.stringify(refire), sign.bearer(inst.secret));
    cards = await settle(b.id, inst, 4);
    const reopened = cards.find((c) => c.id === zero.id)!;
    expect(reopened.doneAt).toBeNull();
    expect((await ticketOf(b.id, zero.id)).occurrences).toBe(2);
  });
});

describe('Grafana alerting webhook', () => {
  it('raises and resolves with the Authorization header', async () => {
    const b = await board('Search');
    const inst = await install(server.admin, b.id, 'grafana');
    await postHook(
      server.baseUrl,
      inst.inboundUrl,
      fixtureText('grafana', 'firing'),
      sign.bearer(inst.secret),
    );
    let [card] = await settle(b.id, inst, 1);
    expect(card).toMatchObject({
      title: 'Disk on search-db-2 is 91% full',
      priority: 'medium',
      type: 'incident',
    });
    expect(card!.source).toMatchObject({
      url: 'https://grafana.example/d/st0rage/storage?orgId=1&viewPanel=4',
    });
    await postHook(
      server.baseUrl,
      inst.inboundUrl,
      fixtureText('grafana', 'resolved'),
      sign.bearer(inst.secret),
    );
    [card] = await settle(b.id, inst, 2);
    expect(card!.doneAt).not.toBeNull();
    const log = (await deliveries(server.admin, b.id, inst.id)).items;
    expect(log.map((d) => d.summary)).toEqual([
      'resolved: Disk almost full (org 1)',
      'firing: Disk almost full (org 1)',
    ]);
  });

  it('keeps apart two organisations whose alerts share a fingerprint', async () => {
    const b = await board('Search two orgs');
    const inst = await install(server.admin, b.id, 'grafana');
    for (const name of ['firing', 'firing.org2']) {
      await postHook(server.baseUrl, inst.inboundUrl, fixtureText('grafana', name), sign.bearer(inst.secret));
    }
    const cards = await settle(b.id, inst, 2);
    expect(cards).toHaveLength(2);
    expect(cards.map((c) => (c.source as { url?: string }).url).sort()).toEqual([
      'https://grafana.example/d/st0rage/storage?orgId=1&viewPanel=4',
      'https://grafana.example/d/st0rage/storage?orgId=2&viewPanel=4',
    ]);
    // Organisation 1 resolves: organisation 2's ticket stays open.
    await postHook(
      server.baseUrl,
      inst.inboundUrl,
      fixtureText('grafana', 'resolved'),
      sign.bearer(inst.secret),
    );
    const after = await settle(b.id, inst, 3);
    const open = after.filter((c) => c.doneAt === null);
    expect(open.map((c) => (c.source as { url?: string }).url)).toEqual([
      'https://grafana.example/d/st0rage/storage?orgId=2&viewPanel=4',
    ]);
  });

  it('accepts HMAC-signed notifications with a timestamp, and refuses stale or forged ones', async () => {
    const b = await board('Search HMAC');
    const inst = await install(server.admin, b.id, 'grafana', {
      auth: 'hmac',
      timestampHeader: 'X-Grafana-Timestamp',
    });
    const body = fixtureText('grafana', 'firing');
    const now = String(Math.floor(Date.now() / 1000));
    const signed = (ts: string, secret = inst.secret) => ({
      'x-grafana-timestamp': ts,
      'x-grafana-alerting-signature': hmacHex(secret, `${ts}:${body}`),
    });
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, signed(now, 'forged'))).status).toBe(401);
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, body, signed(String(Number(now) - 3600)))).status,
    ).toBe(401);
    expect((await postHook(server.baseUrl, inst.inboundUrl, body, signed(now))).status).toBe(202);
    expect(await settle(b.id, inst, 3)).toHaveLength(1);
  });
});

describe('PagerDuty v3 webhooks (X-PagerDuty-Signature)', () => {
  it('follows an incident from triggered through acknowledged to resolved', async () => {
    const b = await board('Checkout ops');
    const inst = await install(server.admin, b.id, 'pagerduty');
    const triggered = fixtureText('pagerduty', 'incident.triggered');
    expect(
      (await postHook(server.baseUrl, inst.inboundUrl, triggered, sign.pagerduty('wrong', triggered))).status,
    ).toBe(401);
    // While PagerDuty rotates its secret it sends two signatures; one matching is enough.
    const both = {
      'x-pagerduty-signature': `v1=${hmacHex('old', triggered)}, v1=${hmacHex(inst.secret, triggered)}`,
    };
    expect((await postHook(server.baseUrl, inst.inboundUrl, triggered, both)).status).toBe(202);
    let [card] = await settle(b.id, inst, 2);
    expect(card).toMatchObject({
      title: 'Checkout latency p99 over 2 s',
      type: 'incident',
      priority: 'critical',
      stream: 'maintenance',
      classOfService: 'expedite',
    });
    expect(card!.source).toMatchObject({
      service: 'checkout',
      fingerprint: '3d9a6f0b2c41487e9b5d1f7a8c2e6b04',
    });

    const ack = fixtureText('pagerduty', 'incident.acknowledged');
    await postHook(server.baseUrl, inst.inboundUrl, ack, sign.pagerduty(inst.secret, ack));
    const resolved = fixtureText('pagerduty', 'incident.resolved');
    await postHook(server.baseUrl, inst.inboundUrl, resolved, sign.pagerduty(inst.secret, resolved));
    [card] = await settle(b.id, inst, 4);
    expect(card!.doneAt).not.toBeNull();
    const notes = (await comments(b.id, card!.id)).map((c) => c.body);
    expect(notes).toEqual([
      'Acknowledged in PagerDuty by Sam Okafor.',
      expect.stringMatching(/^Recovered\. Resolved in PagerDuty by Sam Okafor\./),
    ]);
    const log = (await deliveries(server.admin, b.id, inst.id)).items;
    expect(log[0]!.deliveryKey).toBe('01F2AB4E8G0J2L4N6Q8S0U2W4Y');
    expect(log.filter((d) => d.status === 'processed').map((d) => d.summary)).toEqual([
      'resolved: #4821 Checkout latency p99 over 2 s (checkout)',
      'acknowledged: #4821 Checkout latency p99 over 2 s (checkout)',
      'triggered: #4821 Checkout latency p99 over 2 s (checkout)',
    ]);
  });
});

describe('generic incidents and problems', () => {
  it('follows a generic incident and keeps a problem as a known-error record linked to it', async () => {
    const b = await board('Settlement');
    const incidents = await install(server.admin, b.id, 'generic-incident');
    const problems = await install(server.admin, b.id, 'generic-problem', { recurrence: { enabled: false } });
    for (const name of ['triggered', 'acknowledged']) {
      const body = fixtureText('generic-incident', name);
      expect(
        (await postHook(server.baseUrl, incidents.inboundUrl, body, sign.bearer(incidents.secret))).status,
      ).toBe(202);
    }
    const [incident] = await settle(b.id, incidents, 2);
    expect(incident).toMatchObject({
      title: 'Nightly settlement export did not arrive at the bank',
      priority: 'high',
    });
    expect((await comments(b.id, incident!.id)).map((c) => c.body)).toEqual([
      'Acknowledged: Looking at the SFTP credentials rotation.',
    ]);

    const record = fixtureText('generic-problem', 'known-error');
    await postHook(server.baseUrl, problems.inboundUrl, record, sign.blendboard(problems.secret, record));
    const problem = (await settle(b.id, problems, 1)).find((c) => c.type === 'problem')!;
    expect(problem).toMatchObject({
      title: 'Settlement export fails after SFTP key rotation',
      stream: 'maintenance',
    });
    const ticket = await ticketOf(b.id, problem.id);
    expect(ticket.knownError).toEqual({
      rootCause: "The bank's SFTP server caches client keys for 24 h after a rotation.",
      workaround: 'Rotate keys at 09:00 on a weekday and ask the bank to flush their key cache.',
    });
    expect(ticket.links).toEqual([expect.objectContaining({ cardId: incident!.id, kind: 'problem_for' })]);
    expect((await ticketOf(b.id, incident!.id)).links).toEqual([
      expect.objectContaining({ cardId: problem.id, kind: 'problem_for', direction: 'incoming' }),
    ]);

    // Someone refines the known error on the board.
    const edited = await server.admin.ok(
      server.admin.patch<PluginTicket>(`/api/boards/${b.id}/plugin-tickets/${problem.id}/known-error`, {
        workaround: 'Pin the old key for 24 h after rotating.',
      }),
    );
    expect(edited.knownError).toMatchObject({ workaround: 'Pin the old key for 24 h after rotating.' });
    expect(edited.knownError?.rootCause).toMatch(/caches client keys/);

    const resolvedIncident = fixtureText('generic-incident', 'resolved');
    await postHook(server.baseUrl, incidents.inboundUrl, resolvedIncident, sign.bearer(incidents.secret));
    const resolvedProblem = fixtureText('generic-problem', 'resolved');
    await postHook(server.baseUrl, problems.inboundUrl, resolvedProblem, sign.bearer(problems.secret));
    await settle(b.id, incidents, 3);
    const cards = await settle(b.id, problems, 2);
    expect(cards.every((c) => c.doneAt !== null)).toBe(true);
  });
});

describe('problems from recurring incidents', () => {
  function alert(fingerprint: string, startsAt: string, service = 'payments-api', severity = 'critical') {
    const n = fixture<{ alerts: Record<string, unknown>[]; status: string }>('alertmanager', 'firing');
    const a = n.alerts[0]! as { labels: Record<string, string>; fingerprint: string; startsAt: string };
    a.fingerprint = fingerprint;
    a.startsAt = startsAt;
    a.labels = { ...a.labels, service, severity };
    n.alerts = [a];
    return JSON.stringify(n);
  }

  it('raises one known-error problem when an alert recurs N times within the window, linked to its incident', async () => {
    const b = await board('Recurring');
    const alerts = await install(server.admin, b.id, 'alertmanager');
    const problems = await install(server.admin, b.id, 'generic-problem', {
      recurrence: { threshold: 3, windowMinutes: 60, matchBy: ['fingerprint'] },
    });
    for (const [i, start] of ['10:00', '10:20', '10:40', '11:00'].entries()) {
      const body = alert('feedbeef00000001', `2026-11-21T${start}:00.000Z`);
      await postHook(server.baseUrl, alerts.inboundUrl, body, sign.bearer(alerts.secret));
      await settle(b.id, alerts, i + 1);
    }
    const cards = await pluginCards(server.admin, b.id);
    const incident = cards.find((c) => c.type === 'incident')!;
    const problem = cards.find((c) => c.type === 'problem')!;
    expect(cards).toHaveLength(2);
    expect(problem).toMatchObject({ title: 'Recurring incident: 5xx rate above 5% on payments-api-0' });
    // its incident is critical: the problem inherits that, not the problem plugin's default medium
    expect(incident.priority).toBe('critical');
    expect(problem.priority).toBe('critical');
    expect(problem.source).toMatchObject({
      plugin: 'generic-problem',
      kind: 'problem',
      knownError: { rootCause: '', workaround: '' },
    });
    const ticket = await ticketOf(b.id, problem.id);
    expect(ticket).toMatchObject({ dedupKey: 'recurring:fingerprint:feedbeef00000001', occurrences: 2 });
    expect(ticket.links).toEqual([expect.objectContaining({ cardId: incident.id, kind: 'problem_for' })]);
    const history = await server.admin.ok(
      server.admin.get<{ actor: { label: string } }[]>(`/api/boards/${b.id}/cards/${problem.id}/history`),
    );
    expect(history.every((e) => e.actor.label === 'plugin:generic-problem')).toBe(true);
    expect(problems.id).toBeTruthy();
  });

  it('raises a problem for a service when different alerts keep hitting it', async () => {
    const b = await board('Recurring by service');
    const alerts = await install(server.admin, b.id, 'alertmanager');
    await install(server.admin, b.id, 'generic-problem', {
      recurrence: { threshold: 2, matchBy: ['service'] },
    });
    await postHook(
      server.baseUrl,
      alerts.inboundUrl,
      alert('aa01', '2026-11-21T10:00:00Z', 'search'),
      sign.bearer(alerts.secret),
    );
    await postHook(
      server.baseUrl,
      alerts.inboundUrl,
      alert('bb02', '2026-11-21T10:05:00Z', 'search'),
      sign.bearer(alerts.secret),
    );
    const cards = await settle(b.id, alerts, 2);
    const problem = await eventually(async () =>
      (await pluginCards(server.admin, b.id)).find((c) => c.type === 'problem'),
    );
    expect(cards.filter((c) => c.type === 'incident')).toHaveLength(2);
    expect(problem.title).toBe('Recurring incidents on search');
    const ticket = await ticketOf(b.id, problem.id);
    expect(ticket.links.map((l) => l.kind)).toEqual(['problem_for', 'problem_for']);
  });

  it('raises an open problem to the priority of a more urgent incident that joins it later', async () => {
    const b = await board('Recurring rises');
    const alerts = await install(server.admin, b.id, 'alertmanager');
    await install(server.admin, b.id, 'generic-problem', {
      recurrence: { threshold: 2, matchBy: ['service'] },
    });
    const send = (fp: string, at: string, severity: string) =>
      postHook(
        server.baseUrl,
        alerts.inboundUrl,
        alert(fp, at, 'billing', severity),
        sign.bearer(alerts.secret),
      );
    await send('dd01', '2026-11-21T10:00:00Z', 'warning');
    await send('dd02', '2026-11-21T10:05:00Z', 'warning');
    await settle(b.id, alerts, 2);
    const problem = await eventually(async () =>
      (await pluginCards(server.admin, b.id)).find((c) => c.type === 'problem'),
    );
    expect(problem.priority).toBe('medium');
    await send('dd03', '2026-11-21T10:10:00Z', 'critical');
    await settle(b.id, alerts, 3);
    const risen = await eventually(async () => {
      const p = (await pluginCards(server.admin, b.id)).find((c) => c.id === problem.id);
      return p?.priority === 'critical' ? p : undefined;
    });
    expect(risen.priority).toBe('critical');
  });
});

describe('deployment plugins (release reports; the full journey is in test/deployment-plugins.test.ts)', () => {
  const cases: {
    plugin: string;
    fixture: string;
    headers: (secret: string, body: string) => Record<string, string>;
  }[] = [
    {
      plugin: 'github-deployments',
      fixture: 'deployment_status.failure',
      headers: (secret, body) => sign.github(secret, body, 'deployment_status'),
    },
    {
      plugin: 'gitlab-deployments',
      fixture: 'deployment.failed',
      headers: (secret) => ({ ...sign.gitlab(secret), 'x-gitlab-event': 'Deployment Hook' }),
    },
    { plugin: 'jenkins-deployments', fixture: 'post.failure', headers: sign.blendboard },
    { plugin: 'generic-deployment', fixture: 'failure', headers: sign.blendboard },
  ];
  for (const c of cases) {
    it(`${c.plugin}: its fixture, signed as the tool signs, is reported on the board's releases`, async () => {
      const b = await board(`No releases (${c.plugin})`);
      const inst = await install(server.admin, b.id, c.plugin);
      const body = fixtureText(c.plugin, c.fixture);
      expect((await postHook(server.baseUrl, inst.inboundUrl, body, c.headers('wrong', body))).status).toBe(
        401,
      );
      expect(
        (await postHook(server.baseUrl, inst.inboundUrl, body, c.headers(inst.secret, body))).status,
      ).toBe(202);
      await settle(b.id, inst, 2);
      const [latest] = (await deliveries(server.admin, b.id, inst.id)).items;
      expect(latest).toMatchObject({ status: 'processed', outcome: 'ignored', retrying: false });
      expect(latest!.summary).toMatch(/^no release on its way matches /);
    });
  }
});
