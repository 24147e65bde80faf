/**
 * Feature flags, live: an administrator turns reports off for one board on the feature-flags page,
 * and a colleague who has that board open loses the Reports tab and view at once, without a reload;
 * removing the override brings them back. The change is in the audit log.
 */
import { ADMIN } from './env.ts';
import { expect, showView, test } from './fixtures.ts';

test('a flag flipped on the admin page changes an open board in another browser without a reload', async ({
  team,
  openBoardAs,
  browser,
}) => {
  test.slow(); // two browsers and the admin page on two shared cores
  const rita = await team.person('Rita Reader');
  // Each spec's own board, and a board-scoped override: specs running beside this one keep reports.
  const board = await team.board(`Flag lab ${Date.now()}`, [rita]);
  const ritaPage = await openBoardAs(rita, board);
  await showView(ritaPage, 'Reports');
  await expect(ritaPage.getByTestId('reports')).toBeVisible();
  const reportsTab = ritaPage.getByRole('tab', { name: 'Reports' });
  // A page that reloaded would lose this.
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
    await expect(adminPage.getByRole('heading', { name: 'Feature flags' })).toBeVisible();

    const reports = adminPage.locator('[data-testid="flag"][data-flag-key="reports"]');
    await reports.getByLabel('Board', { exact: true }).selectOption(board.id);
    await reports.getByLabel('Value', { exact: true }).selectOption('false');
    await reports.getByLabel('Reason', { exact: true }).fill('Reports under review');
    await reports.getByRole('button', { name: 'Apply' }).click();
    const override = reports.getByTestId('override').filter({ hasText: board.name });
    await expect(override).toContainText('off');

    // Rita's open board follows: no Reports tab, and the view says why.
    await expect(reportsTab).toHaveCount(0);
    await expect(ritaPage.getByTestId('feature-off')).toContainText('Reports are turned off');
    await expect(ritaPage.getByTestId('reports')).toHaveCount(0);
    expect(await samePage()).toBe(true);

    const audit = adminPage.getByTestId('flag-audit');
    await expect(audit.locator('tr', { hasText: 'Reports under review' })).toContainText('default → off');

    await override.getByRole('button', { name: 'Remove' }).click();
    await expect(override).toHaveCount(0);

    await expect(reportsTab).toBeVisible();
    await expect(ritaPage.getByTestId('reports')).toBeVisible();
    expect(await samePage()).toBe(true);
  } finally {
    await adminContext.close();
  }
});
