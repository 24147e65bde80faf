/**
 * The service-desk flag, live: an administrator turns the service desk off for one board on the
 * feature-flags page, and a colleague who has that board open loses the on-call strip, the known
 * errors, the open card's links and problem records and the cards' SLA chips at once, without a
 * reload; removing the override brings them back.
 */
import { ADMIN } from './env.ts';
import { expect, test } from './fixtures.ts';

test('the service-desk flag flipped on the admin page hides and brings back on-call, known errors and SLA chips in an open board', async ({
  team,
  openBoardAs,
  browser,
}) => {
  test.slow(); // two browsers and the admin page on two shared cores
  const rita = await team.person('Rita Desk');
  // The spec's own board and a board-scoped override: specs running beside this one keep theirs.
  const board = await team.board(`Desk flag ${Date.now()}`, [rita]);
  const incident = await team.admin.send<{ id: string; key: string }>(
    'POST',
    `/api/boards/${board.id}/cards`,
    {
      title: 'Checkout is down',
      type: 'incident',
      stream: 'maintenance',
      priority: 'high',
    },
  );
  const ritaPage = await openBoardAs(rita, board);
  const row = ritaPage.locator(`[data-testid="card"][data-key="${incident.key}"]`);
  const serviceDesk = {
    onCall: ritaPage.getByTestId('oncall-now'),
    knownErrors: ritaPage.getByTestId('known-errors-open'),
    links: ritaPage.getByTestId('card-links'),
    chip: row.getByTestId('sla-chip'),
  };
  await row.click();
  for (const part of Object.values(serviceDesk)) await expect(part).toBeVisible();
  await ritaPage.evaluate(() => {
    (window as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true;
  });
  const samePage = () =>
    ritaPage.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage === true);

  const adminContext = await browser.newContext();
  try {
    const signIn = await adminContext.request.post('/api/auth/login', {
      data: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(signIn.status()).toBe(200);
    const adminPage = await adminContext.newPage();
    await adminPage.goto('/');
    await adminPage.getByTestId('user-menu-button').click();
    await adminPage.getByRole('link', { name: 'Feature flags' }).click();
    const flag = adminPage.locator('[data-testid="flag"][data-flag-key="service-desk"]');
    await flag.getByLabel('Board', { exact: true }).selectOption(board.id);
    await flag.getByLabel('Value', { exact: true }).selectOption('false');
    await flag.getByLabel('Reason', { exact: true }).fill('Service desk not launched here');
    await flag.getByRole('button', { name: 'Apply' }).click();
    const override = flag.getByTestId('override').filter({ hasText: board.name });
    await expect(override).toContainText('off');

    // Rita's open board follows: every service-desk part goes, the card stays open.
    for (const part of Object.values(serviceDesk)) await expect(part).toHaveCount(0);
    await ritaPage.screenshot({ path: 'test-results/service-desk-off.png' });
    await expect(ritaPage.getByTestId('card-panel')).toBeVisible();
    await expect(row).toBeVisible();
    expect(await samePage()).toBe(true);

    await override.getByRole('button', { name: 'Remove' }).click();
    await expect(override).toHaveCount(0);

    for (const part of Object.values(serviceDesk)) await expect(part).toBeVisible();
    expect(await samePage()).toBe(true);
  } finally {
    await adminContext.close();
  }
});
