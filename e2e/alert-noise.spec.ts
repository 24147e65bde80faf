/**
 * Alert noise on the Reports view: two monitoring sources post incidents to their integrations'
 * inbound URLs (the generic incident plugin, Bearer secret, as a monitoring tool would). Of the
 * checkout monitor's two alerts a person comments on one before both resolve; the disk alerts all
 * resolve untouched. A developer watching Reports sees the panel go from its empty state to the
 * shares, noisiest source first, without a reload; the panel goes when the service desk is off.
 */
import type { APIRequestContext } from '@playwright/test';
import type { Card } from '../protocol/model.ts';
import type { InstallationWithSecret } from '../protocol/plugin.ts';
import { type Api, expect, showView, test } from './fixtures.ts';

// Deliveries are processed after they are accepted, and the panel reloads after the board's events.
const SETTLED = { timeout: 60_000 };

/** What a monitoring tool does: post its incident JSON with the installation's Bearer secret. */
async function alert(http: APIRequestContext, source: InstallationWithSecret, id: string, status: string) {
  const url = new URL(source.inboundUrl, 'http://x');
  const res = await http.post(url.pathname + url.search, {
    data: JSON.stringify({
      id,
      status,
      title: `Alert ${id}`,
      severity: 'high',
      occurredAt: new Date().toISOString(),
    }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${source.secret}` },
  });
  expect(res.status(), `${status} ${id}`).toBeLessThan(300);
}

async function cardTitled(admin: Api, boardId: string, title: string): Promise<Card> {
  let found: Card | undefined;
  await expect
    .poll(async () => {
      found = (await admin.send<Card[]>('GET', `/api/boards/${boardId}/cards`)).find(
        (c) => c.title === title,
      );
      return found !== undefined;
    }, SETTLED)
    .toBe(true);
  return found!;
}

test('the share of each source’s tickets closed with no human action, noisiest first, live', async ({
  team,
  openBoardAs,
  request,
}) => {
  test.setTimeout(240_000); // a browser, ten deliveries and their cards on shared cores
  const dev = await team.person('Dana Dev');
  const board = await team.board(`Alert noise ${Date.now()}`, [dev]);
  const page = await openBoardAs(dev, board);
  await showView(page, 'Reports');
  const panel = page.getByTestId('alert-noise');
  await expect(panel.getByTestId('alert-noise-empty')).toBeVisible(SETTLED);

  const install = (name: string) =>
    team.admin.send<InstallationWithSecret>('POST', `/api/boards/${board.id}/plugins`, {
      pluginId: 'generic-incident',
      name,
    });
  const checkout = await install('Checkout monitor');
  const disks = await install('Disk alerts');

  for (const id of ['C-1', 'C-2']) await alert(request, checkout, id, 'triggered');
  for (const id of ['D-1', 'D-2', 'D-3']) await alert(request, disks, id, 'triggered');
  // A person looks into one checkout alert before it resolves: that one was acted on.
  const handled = await cardTitled(team.admin, board.id, 'Alert C-2');
  await team.admin.send('POST', `/api/boards/${board.id}/cards/${handled.id}/comments`, {
    body: 'Payment provider confirmed a blip; watching.',
  });
  for (const id of ['C-1', 'C-2']) await alert(request, checkout, id, 'resolved');
  for (const id of ['D-1', 'D-2', 'D-3']) await alert(request, disks, id, 'resolved');

  // 4 of 5 tickets closed with nobody acting: the disk alerts all, the checkout monitor one of two.
  await expect(panel.getByTestId('alert-noise-closed')).toHaveText('5', SETTLED);
  await expect(panel.getByTestId('alert-noise-share')).toHaveText('80%');
  const rows = panel.getByTestId('alert-noise-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-source', 'Disk alerts');
  await expect(rows.nth(0)).toHaveAttribute('data-tone', 'noisy');
  await expect(rows.nth(0).getByTestId('alert-noise-row-share')).toHaveText('100%');
  await expect(rows.nth(1)).toHaveAttribute('data-source', 'Checkout monitor');
  await expect(rows.nth(1).getByTestId('alert-noise-row-share')).toHaveText('50%');
  await expect(rows.nth(1).locator('td').nth(0)).toHaveText('2');
  await expect(rows.nth(1).locator('td').nth(1)).toHaveText('1');
  await expect(panel.getByTestId('alert-noise-chart')).toBeVisible();

  // A shorter period asks the server for it; these tickets all closed today.
  const asked = page.waitForRequest((r) => r.url().includes('/reports/alert-noise?days=7'));
  await panel.getByTestId('alert-noise-days').selectOption('7');
  await asked;
  await expect(panel.getByTestId('alert-noise-closed')).toHaveText('5');
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: 'test-results/alert-noise.png' });
  if (process.env.SCREENSHOT_DOCS) await panel.screenshot({ path: 'docs/alert-noise.png' });

  // The service desk turned off for this board: the panel goes from the open Reports view.
  await team.admin.send('PUT', '/api/flags/service-desk/overrides', {
    boardId: board.id,
    value: false,
    reason: 'e2e: service desk off on this board',
  });
  await expect(panel).toHaveCount(0);
  await expect(page.getByTestId('reports')).toBeVisible();
});
