/**
 * Outgoing notifications of the service side against real PostgreSQL and a real receiver: an
 * on-call page of a critical incident reaches a PagerDuty-format target as a trigger, and its
 * acknowledgement as an acknowledge on the same dedup key; a target not subscribed hears nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CreatedNotificationTarget } from '../protocol/notifications.ts';
import type { Rota } from '../protocol/oncall.ts';
import type { PagerDutyEvent } from '../server/notify/formats.ts';
import { type ApiClient, eventually, memberWithRole, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let receiver: Server;
let receiverUrl = '';
const received: { path: string; body: PagerDutyEvent }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.statusCode = 202;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  server = await startServer({ NOTIFY_ALLOW_PRIVATE: 'true', NOTIFY_RETRY_DELAY_SECONDS: '1' });
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

it('pages a critical incident to PagerDuty and acknowledges the same alert', async () => {
  const boardId = (await server.admin.createBoard('Pager board')).id;
  const ada: ApiClient = await memberWithRole(server, boardId, 'maintenance', 'ada');
  const target = (path: string, events: string[]) =>
    server.admin.ok(
      server.admin.post<CreatedNotificationTarget>(`/api/boards/${boardId}/notification-targets`, {
        name: path,
        url: `${receiverUrl}${path}`,
        format: 'pagerduty',
        routingKey: 'R0UTINGKEY',
        events,
      }),
    );
  await target('/pages', ['oncall.paged', 'oncall.acknowledged']);
  await target('/releases-only', ['release.state_changed']);

  const rota = await server.admin.ok(
    server.admin.post<Rota>(`/api/boards/${boardId}/oncall/rotas`, {
      name: 'AMS',
      duty: 'ams',
      rotation: false,
      members: [ada.userId],
      pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '09:00' },
      startDate: '2026-01-05',
    }),
  );
  await server.admin.ok(
    server.admin.post(`/api/boards/${boardId}/oncall/policies`, {
      name: 'Critical incidents',
      priorities: ['critical'],
      steps: [{ target: { kind: 'on_duty', rotaId: rota.id }, afterMinutes: 0 }],
    }),
  );
  const card = await server.admin.createCard(boardId, {
    title: 'Payments down',
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });

  const page = await eventually(() => received.find((r) => r.path === '/pages'), 15_000);
  expect(page.body).toMatchObject({
    routing_key: 'R0UTINGKEY',
    event_action: 'trigger',
    dedup_key: `incident:${card.id}`,
    payload: { severity: 'critical', class: 'oncall.paged' },
  });
  expect(page.body.payload!.summary).toContain(`${card.key} Payments down`);
  expect(page.body.payload!.summary).toContain('ada');

  await ada.ok(ada.post(`/api/boards/${boardId}/incidents/${card.id}/ack`));
  const ack = await eventually(
    () => received.find((r) => r.path === '/pages' && r.body.event_action === 'acknowledge'),
    15_000,
  );
  expect(ack.body).toEqual({
    routing_key: 'R0UTINGKEY',
    event_action: 'acknowledge',
    dedup_key: `incident:${card.id}`,
  });
  expect(received.filter((r) => r.path === '/releases-only')).toEqual([]);
});
