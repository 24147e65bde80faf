/**
 * Dark mode: the board follows the system's light or dark setting until the user picks one in the
 * user menu; the pick is remembered, and a reload shows the chosen theme from the first paint (the
 * page is never drawn in the other theme first).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { showcase } from './showcase.ts';

const theme = (page: Page) => page.locator('html').getAttribute('data-theme');
const background = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

/**
 * The theme <html> has when <body> is first parsed: before the app's code runs and before anything
 * is painted, so a page without the early theme script would show none here.
 */
async function recordFirstPaintTheme(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { themeAtBody?: string };
    // Watches the document (its <html> element may not exist yet when this runs).
    const observer = new MutationObserver(() => {
      if (!document.body) return;
      w.themeAtBody = document.documentElement.dataset.theme ?? 'none';
      observer.disconnect();
    });
    observer.observe(document, { subtree: true, childList: true });
  });
}
const themeAtBody = (page: Page) =>
  page.evaluate(() => (window as unknown as { themeAtBody?: string }).themeAtBody);

test('the board follows the system setting, light or dark, as it changes', async ({ team, openBoardAs }) => {
  const { board, dev } = await showcase(team, 'System theme');
  const page = await openBoardAs(dev, board, undefined, { colorScheme: 'dark' });
  expect(await theme(page)).toBe('dark');
  const dark = await background(page);

  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => theme(page)).toBe('light');
  expect(await background(page)).not.toBe(dark);

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => theme(page)).toBe('dark');
  expect(await background(page)).toBe(dark);
});

test('a theme picked in the user menu is kept across a reload, from the first paint', async ({
  team,
  openBoardAs,
}) => {
  const { board, dev } = await showcase(team, 'Picked theme');
  const page = await openBoardAs(dev, board, recordFirstPaintTheme, { colorScheme: 'light' });
  expect(await theme(page)).toBe('light');
  const light = await background(page);

  await page.getByTestId('user-menu-button').click();
  const menu = page.getByTestId('user-menu');
  await expect(menu.getByRole('radio', { name: 'System' })).toBeChecked();
  await menu.getByRole('radio', { name: 'Dark' }).check();
  await expect.poll(() => theme(page)).toBe('dark');
  expect(await background(page)).not.toBe(light);

  // Reloaded, the page is dark from its first script on: it never shows light first.
  await page.reload();
  await expect(page.getByTestId('board-name')).toHaveText(board.name);
  expect(await themeAtBody(page)).toBe('dark');
  await page.getByTestId('user-menu-button').click();
  await expect(menu.getByRole('radio', { name: 'Dark' })).toBeChecked();

  // The system's setting no longer decides; back on "System", it does again.
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await theme(page)).toBe('dark');
  await menu.getByRole('radio', { name: 'System' }).check();
  await expect.poll(() => theme(page)).toBe('light');
  await page.reload();
  await expect(page.getByTestId('board-name')).toHaveText(board.name);
  expect(await themeAtBody(page)).toBe('light');
});
