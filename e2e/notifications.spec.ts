/**
 * Outgoing notifications: a board admin adds a Slack-compatible target on the Integrations tab
 * pointing at a receiver this test runs, sees the signing secret once, a release changes state
 * through the API, and the signed message arrives and shows as delivered in the target's log.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Release } from '../protocol/releases.ts';
import { verifySignature } from '../server/notify/signature.ts';
import { expect, test } from './fixtures.ts';

test('a release that changes state is announced to a target added on the page, and the delivery shows in its log', async ({
  team,
  openBoardAs,
}, testInfo) => {
  const received: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/chat`;

  try {
    const admin = await team.person('Priya Admin');
    const board = await team.board('Checkout', [admin]);
    await team.role(board, admin, 'admin');
    const page = await openBoardAs(admin, board);
    await page.getByRole('tab', { name: 'Integrations' }).click();
    const section = page.getByTestId('notification-targets');
    await expect(section.getByText('No notification targets yet')).toBeVisible();

    await section.getByRole('button', { name: 'Add notification target' }).click();
    const form = section.getByRole('form', { name: 'Add a notification target' });
    await form.getByLabel('Name').fill('#releases channel');
    await form.getByLabel('URL').fill(receiverUrl);
    await form.getByLabel('Format').selectOption('slack');
    await form.getByRole('button', { name: 'Add' }).click();

    const secretNote = section.getByTestId('notification-secret');
    const secret = ((await secretNote.getByTestId('notification-secret-value').textContent()) ?? '').trim();
    expect(secret).toMatch(/^bbn_[0-9a-f]{64}$/);
    await secretNote.getByRole('button', { name: 'I have copied the secret' }).click();
    await expect(secretNote).toHaveCount(0);
    const target = section.getByTestId('notification-target');
    await expect(target).toContainText('#releases channel');

    // A release is planned, then deployed to test: planned → on the path to live.
    const release = await team.admin.send<Release>('POST', `/api/boards/${board.id}/releases`, {
      version: '3.2.0',
      stream: 'development',
      targetDate: '2026-12-18',
    });
    await team.admin.send('POST', `/api/boards/${board.id}/releases/${release.id}/runs`, {
      environment: 'test',
      runId: 'e2e-1',
      kind: 'deployment',
      outcome: 'success',
    });

    await target.getByRole('button', { name: 'Deliveries' }).click();
    const log = target.getByTestId('notification-delivery');
    await expect(log).toHaveCount(2, { timeout: 15_000 });
    await expect(log.first()).toContainText('Release 3.2.0 is on the path to live (was planned)');
    await expect(log.first()).toHaveAttribute('data-status', 'delivered', { timeout: 15_000 });
    await expect(log.nth(1)).toHaveAttribute('data-status', 'delivered', { timeout: 15_000 });
    await expect(log.first()).toContainText('200');

    // What the chat received: Slack's shape, signed with the secret shown on the page.
    expect(received).toHaveLength(2);
    const last = received.find((r) => r.headers['x-blendboard-event'] === 'release.state_changed')!;
    expect(verifySignature(secret, last.headers['x-blendboard-signature'] as string, last.raw)).toBe(true);
    const message = JSON.parse(last.raw) as { text: string; blocks: { type: string }[] };
    expect(message.text).toContain('Release 3.2.0 is on the path to live (was planned)');
    expect(message.text).toContain('Target date: 2026-12-18');
    expect(message.blocks[0]!.type).toBe('section');

    await page.screenshot({ path: testInfo.outputPath('notifications.png'), fullPage: true });
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});
