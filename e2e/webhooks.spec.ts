/**
 * Webhooks become tickets: a board admin installs the generic CI plugin from the Integrations tab,
 * gives the URL and secret to "the CI" (this test, posting signed run results), and everyone on the
 * board sees the failure appear as one ticket that counts repeats. Refused deliveries are logged and
 * change nothing; a delivery can be replayed from its log.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { InstallationWithSecret } from '../protocol/plugin.ts';
import { BASE_URL } from './env.ts';
import { backlogKeys, cardRow, expect, type Person, type Team, test } from './fixtures.ts';

// The delivery log follows the board live, and polls for what changes nothing on the board.
const LOGGED = { timeout: 20_000 };

/** A failed run in the generic CI format, shaped like the plugin's own fixture. */
const failedRun = JSON.parse(
  readFileSync(new URL('../plugins/generic-ci/fixtures/failed.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function runResult(runId: string): string {
  return JSON.stringify({
    ...failedRun,
    runId,
    url: `https://ci.internal.example/mobile-app/release/${runId}`,
  });
}

/** What the CI does: post the exact body bytes, signed with the installation's secret. */
function postRun(http: APIRequestContext, url: string, secret: string, body: string) {
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  return http.post(url, {
    data: body,
    headers: { 'content-type': 'application/json', 'x-blendboard-signature': `sha256=${signature}` },
  });
}

/** Someone who administers a board of their own. */
async function boardWithAdmin(team: Team, name: string): Promise<{ board: Board; admin: Person }> {
  const admin = await team.person('Priya Admin');
  const board = await team.board(name, [admin]);
  await team.role(board, admin, 'admin');
  return { board, admin };
}

async function showIntegrations(page: Page) {
  await page.getByRole('tab', { name: 'Integrations' }).click();
  await expect(page.getByRole('heading', { name: 'Integrations', level: 1 })).toBeVisible();
}

function deliveries(page: Page) {
  return page.getByTestId('delivery');
}

test('a failed pipeline posted to an integration installed on the page appears on an open backlog, once', async ({
  team,
  openBoardAs,
  request,
}, testInfo) => {
  const { board, admin } = await boardWithAdmin(team, 'Mobile app');
  const bob = await team.person('Bob Dev');
  await team.role(board, bob, 'developer');
  const adminPage = await openBoardAs(admin, board);
  const bobPage = await openBoardAs(bob, board); // stays on the backlog

  await showIntegrations(adminPage);
  await expect(adminPage.getByText('No integrations yet')).toBeVisible();
  await adminPage.getByRole('button', { name: 'Add integration' }).click();
  const form = adminPage.getByTestId('add-integration');
  await form.getByRole('combobox', { name: 'Plugin', exact: true }).selectOption({ label: 'Generic CI' });
  await form.getByLabel('Name on this board').fill('Mobile release pipeline');

  // A routing rule the server refuses: its message shows next to the rules, and nothing is installed.
  const rules = form.getByLabel('Rules', { exact: true });
  const defaultRules = await rules.inputValue();
  await rules.fill('[{ "when": {}, "stream": "operations", "lane": "standard", "position": "top" }]');
  await form.getByRole('button', { name: 'Install' }).click();
  await expect(form.locator('[data-field="routing.rules"]').getByTestId('field-error')).toContainText(
    'stream',
  );
  await adminPage.screenshot({ path: testInfo.outputPath('install-form.png') });
  await rules.fill(defaultRules);
  await form.getByRole('button', { name: 'Install' }).click();

  // The URL and the secret, shown once, are what the CI gets.
  const notice = adminPage.getByTestId('secret-notice');
  await expect(notice).toContainText('Mobile release pipeline is installed');
  const url = (await notice.getByTestId('inbound-url').textContent())?.trim() ?? '';
  const secret = (await notice.getByTestId('secret').textContent())?.trim() ?? '';
  expect(url).toMatch(new RegExp(`^${BASE_URL}/hooks/[0-9a-f-]{36}$`));
  expect(secret.length).toBeGreaterThanOrEqual(16);
  await notice.screenshot({ path: testInfo.outputPath('secret-notice.png') });
  await notice.getByRole('button', { name: 'I have copied the secret' }).click();
  await expect(notice).toHaveCount(0);
  await expect(adminPage.getByTestId('installation-status')).toHaveText('Enabled');

  // The pipeline fails: a ticket appears on Bob's backlog without a reload.
  expect((await postRun(request, url, secret, runResult('7001'))).status()).toBe(202);
  const key = `${board.key}-1`;
  await expect(cardRow(bobPage, key)).toContainText('Release build failed: signing step');
  await expect(deliveries(adminPage).first()).toHaveAttribute('data-outcome', 'created', LOGGED);
  await expect(deliveries(adminPage).first().getByTestId('delivery-tickets')).toContainText(key);

  // It fails again: the same ticket counts a second occurrence, and no card is added.
  expect((await postRun(request, url, secret, runResult('7002'))).status()).toBe(202);
  await expect(deliveries(adminPage)).toHaveCount(2, LOGGED);
  const latest = deliveries(adminPage).first();
  await expect(latest).toHaveAttribute('data-outcome', 'updated', LOGGED);
  await expect(latest.getByTestId('delivery-result')).toHaveText('Updated');
  await expect(latest.getByTestId('source-badge')).toHaveAttribute('data-occurrences', '2');
  await expect(latest.getByTestId('source-badge')).toContainText('×2');
  expect(await team.backlogOrder(board)).toEqual([key]);
  await expect.poll(() => backlogKeys(bobPage)).toEqual([key]);
  // Bob's row says where the ticket came from, and the repeat reached his screen live.
  await expect(cardRow(bobPage, key).getByTestId('source-badge')).toContainText('×2');

  await latest.getByRole('button', { name: 'Payload' }).click();
  await expect(adminPage.getByTestId('delivery-payload')).toContainText('"runId": "7002"');
  await adminPage.screenshot({ path: testInfo.outputPath('integrations.png'), fullPage: true });
});

test('a delivery with a wrong signature is logged as refused and creates nothing', async ({
  team,
  openBoardAs,
  request,
}) => {
  const { board, admin } = await boardWithAdmin(team, 'Payments');
  const ci = await team.admin.send<InstallationWithSecret>('POST', `/api/boards/${board.id}/plugins`, {
    pluginId: 'generic-ci',
    name: 'Payments CI',
  });
  const page = await openBoardAs(admin, board);
  await showIntegrations(page);
  await expect(page.getByText('No deliveries yet')).toBeVisible();

  const refused = await postRun(request, ci.inboundUrl, 'a-secret-somebody-guessed', runResult('8001'));
  expect(refused.status()).toBe(401);

  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = deliveries(page).first();
  await expect(row).toHaveAttribute('data-verification', 'failed', LOGGED);
  await expect(row).toHaveAttribute('data-status', 'rejected');
  await expect(row).toContainText('Verification failed');
  await expect(row.getByTestId('delivery-result')).toHaveText('Rejected (401)');
  await expect(row.getByRole('button', { name: 'Replay' })).toHaveCount(0);
  await row.getByRole('button', { name: 'Payload' }).click();
  await expect(page.getByTestId('delivery-detail')).toContainText(
    'Refused before processing: nothing was changed.',
  );
  await expect(page.getByTestId('delivery-payload')).toContainText('"runId": "8001"');
  expect(await team.backlogOrder(board)).toEqual([]);
});

test('a delivery is replayed from its log, and the replay counts nothing twice', async ({
  team,
  openBoardAs,
  request,
}) => {
  const { board, admin } = await boardWithAdmin(team, 'Search');
  const ci = await team.admin.send<InstallationWithSecret>('POST', `/api/boards/${board.id}/plugins`, {
    pluginId: 'generic-ci',
    name: 'Search CI',
  });
  expect((await postRun(request, ci.inboundUrl, ci.secret, runResult('9001'))).status()).toBe(202);
  const key = `${board.key}-1`;
  const page = await openBoardAs(admin, board);
  await expect(cardRow(page, key)).toBeVisible();
  await showIntegrations(page);

  const row = deliveries(page).first();
  await expect(row).toHaveAttribute('data-outcome', 'created', LOGGED);
  await expect(row).toHaveAttribute('data-attempts', '1');

  await row.getByRole('button', { name: 'Replay' }).click();
  await expect(row).toHaveAttribute('data-attempts', '2', LOGGED);
  await expect(row).toHaveAttribute('data-status', 'processed');
  await expect(row).toContainText('2 attempts');
  await expect(row.getByTestId('source-badge')).toHaveAttribute('data-occurrences', '1');
  await row.getByRole('button', { name: 'Payload' }).click();
  await expect(page.getByTestId('delivery-payload')).toContainText('"runId": "9001"');
  expect(await team.backlogOrder(board)).toEqual([key]);
});
