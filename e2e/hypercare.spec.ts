/**
 * Hyper-care after go-live, in two browsers: the dev team's and the AMS lead's. The release is planned
 * and taken live through the public API (not the point here); the countdown, a real-format incident
 * webhook landing with the builders, the handover worked through and accepted on the page, ownership
 * moving live on both screens, and the next incident after exit landing in maintenance are the story.
 */

import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import { Api, cardRow, expect, type Person, test } from './fixtures.ts';

const releases = (board: Board) => `/api/boards/${board.id}/releases`;

/** An incident in the generic-incident plugin's own format (its fixture), for service checkout. */
const triggered = JSON.parse(
  readFileSync(new URL('../plugins/generic-incident/fixtures/triggered.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function incident(id: string, title: string): string {
  return JSON.stringify({ ...triggered, id, title, service: 'checkout', fingerprint: `checkout-${id}` });
}

/** What the monitoring tool does: post the exact body with the installation's bearer secret. */
async function postIncident(http: APIRequestContext, url: string, secret: string, body: string) {
  const res = await http.post(url, {
    data: body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
  });
  expect(res.status()).toBe(202);
}

async function signedIn(person: Person): Promise<Api> {
  return Api.signIn(person.email, person.password);
}

/** The release page, reached as a user does: the Releases tab, then its row in the schedule. */
async function openRelease(page: Page, version: string) {
  await page.getByRole('tab', { name: 'Releases' }).click();
  await page.locator(`[data-testid="schedule-row"][data-version="${version}"]`).click();
  await expect(page.getByTestId('release-version')).toHaveText(version);
}

const panel = (page: Page) => page.getByTestId('hypercare');
const linked = (page: Page, title: string) =>
  panel(page).getByTestId('hypercare-incident').filter({ hasText: title });

test('hyper-care: countdown, incident to the builders, handover accepted by the AMS lead moves ownership live, after exit to maintenance', async ({
  team,
  openBoardAs,
  request,
}, testInfo) => {
  const pat = await team.person('Pat Owner');
  const dee = await team.person('Dee Veloper');
  const max = await team.person('Max Service');
  const board = await team.board('Checkout hyper-care', [pat, dee, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const [story] = await team.cards(board, ['One-click checkout']);

  // Planned with a card, a ten-minute window and the service it changes; taken live by the API.
  const release = await team.admin.send<Release>('POST', releases(board), {
    version: '8.0.0',
    stream: 'development',
  });
  const rel = `${releases(board)}/${release.id}`;
  await team.admin.send('POST', `${rel}/scope`, { add: [story!.id] });
  await team.admin.send('PUT', `${rel}/hypercare-plan`, { windowDays: 600 / 86_400, services: ['checkout'] });
  for (const environment of release.environments.filter((e) => e !== 'live'))
    await team.admin.send('POST', `${rel}/runs`, {
      environment,
      runId: `deploy-${environment}`,
      kind: 'deployment',
      outcome: 'success',
    });
  const po = await signedIn(pat);
  const ams = await signedIn(max);
  for (const item of release.readiness)
    await po.send('POST', `${rel}/readiness`, { key: item.key, done: true });
  await po.send('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'demoed' });
  const live = await ams.send<Release>('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'runbook read' });
  expect(live.state).toBe('live');

  const monitor = await team.admin.send<{ inboundUrl: string; secret: string }>(
    'POST',
    `/api/boards/${board.id}/plugins`,
    { pluginId: 'generic-incident', config: {} },
  );

  const dev = await openBoardAs(dee, board);
  const lead = await openBoardAs(max, board);
  for (const page of [dev, lead]) {
    await openRelease(page, '8.0.0');
    await expect(panel(page)).toHaveAttribute('data-state', 'active');
    await expect(page.getByTestId('hypercare-owner')).toHaveText('Development');
    // The countdown runs: it shows minutes and seconds, then a smaller value a second later.
    const clock = page.getByTestId('hypercare-countdown');
    await expect(clock).toHaveText(/^\d\d:\d\d$/);
    const first = await clock.textContent();
    await expect(clock).not.toHaveText(first!);
    await expect(page.getByTestId('schedule-hypercare')).toContainText('hyper-care');
  }

  // A real-format incident for checkout lands with the builders, flagged hyper-care, on both screens.
  await postIncident(
    request,
    monitor.inboundUrl,
    monitor.secret,
    incident('INC-2001', 'Checkout payment button spins'),
  );
  for (const page of [dev, lead]) {
    const row = linked(page, 'Checkout payment button spins');
    await expect(row).toHaveAttribute('data-stream', 'development');
    await expect(row).toHaveAttribute('data-hypercare', 'true');
  }

  // On the backlog the incident carries the hyper-care badge.
  const key = await linked(dev, 'Checkout payment button spins').getAttribute('data-card-key');
  await dev.getByRole('tab', { name: 'Backlog' }).click();
  await expect(cardRow(dev, key!).getByTestId('hypercare-badge')).toHaveText('hyper-care');
  await openRelease(dev, '8.0.0');

  // Only the AMS lead may accept; the dev team works through the checklist and submits.
  await expect(lead.getByTestId('handover-submit')).toHaveCount(0);
  const items = dev.getByTestId('hypercare-item');
  const count = await items.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    await items.nth(i).getByRole('checkbox').check();
    await expect(items.nth(i)).toHaveAttribute('data-done', 'true');
  }
  await dev.getByTestId('handover-submit').click();
  await expect(lead.getByTestId('handover-accept')).toBeVisible();
  await expect(dev.getByTestId('handover-accept')).toHaveCount(0);
  if (process.env.SCREENSHOT_DOCS) await lead.screenshot({ path: 'docs/hypercare.png', fullPage: true });
  await testInfo.attach('release page in hyper-care', {
    body: await lead.screenshot({ fullPage: true }),
    contentType: 'image/png',
  });

  await lead.getByTestId('handover-accept').click();
  for (const page of [dev, lead]) {
    await expect(panel(page)).toHaveAttribute('data-handover', 'accepted');
    await expect(linked(page, 'Checkout payment button spins')).toHaveAttribute('data-stream', 'maintenance');
    await expect(
      panel(page).getByTestId('hypercare-decisions').locator('[data-kind="accepted"]'),
    ).toContainText('Max Service');
  }

  // The AMS lead ends hyper-care early with a reason; both clocks say ended.
  await lead.getByTestId('hypercare-exit').click();
  await lead.getByRole('textbox', { name: 'Reason' }).fill('stable for a week of traffic');
  await lead.getByTestId('hypercare-confirm').click();
  for (const page of [dev, lead]) {
    await expect(panel(page)).toHaveAttribute('data-state', 'exited');
    await expect(page.getByTestId('hypercare-countdown')).toHaveText('ended');
    await expect(page.getByTestId('schedule-hypercare')).toHaveCount(0);
  }

  // The next incident for checkout goes to maintenance, not flagged hyper-care.
  await postIncident(
    request,
    monitor.inboundUrl,
    monitor.secret,
    incident('INC-2002', 'Checkout receipts missing'),
  );
  for (const page of [dev, lead]) {
    const row = linked(page, 'Checkout receipts missing');
    await expect(row).toHaveAttribute('data-stream', 'maintenance');
    await expect(row).toHaveAttribute('data-hypercare', 'false');
  }
  await po.dispose();
  await ams.dispose();
});
