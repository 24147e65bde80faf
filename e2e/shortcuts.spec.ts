/** Keyboard shortcuts on a board, and the `?` overlay that lists them. */
import { expect, test } from './fixtures.ts';

test('j/k walk the cards, Enter and e open them, Esc closes, / searches, c creates', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Kay Board');
  const board = await team.board('Keys', [dev]);
  const [one, two, three] = await team.cards(board, ['One', 'Two', 'Three']);
  const page = await openBoardAs(dev, board);
  const panel = page.getByTestId('card-panel');
  const focusedKey = () => page.evaluate(() => document.activeElement?.getAttribute('data-key') ?? null);

  await page.keyboard.press('j');
  await expect.poll(focusedKey).toBe(one!.key);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect.poll(focusedKey).toBe(three!.key);
  await page.keyboard.press('k');
  await expect.poll(focusedKey).toBe(two!.key);

  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('panel-key')).toHaveText(two!.key);
  await expect(page).toHaveURL(new RegExp(`\\?card=${two!.key}$`));
  await page.getByTestId('board-name').click(); // focus leaves the panel
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  await page.keyboard.press('k');
  await page.keyboard.press('e');
  await expect(panel.getByTestId('edit-title')).toBeFocused();
  // Typing in a field is typing, not shortcuts.
  await page.keyboard.type(' jkc/');
  await expect(panel.getByTestId('edit-title')).toHaveValue(/ jkc\/$/);
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(panel).toHaveCount(0);

  await page.keyboard.press('/');
  await expect(page.getByLabel('Search the backlog')).toBeFocused();
  await page.getByTestId('board-name').click();

  await page.getByRole('tab', { name: 'Kanban' }).click();
  await page.getByTestId('board-name').click();
  await page.keyboard.press('c');
  await expect(page.getByRole('tab', { name: 'Backlog' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByLabel('New card title')).toBeFocused();
});

test('? shows an accessible overlay of the shortcuts that keeps the focus and closes with Esc', async ({
  team,
  openBoardAs,
}) => {
  const dev = await team.person('Que Mark');
  const board = await team.board('Help keys', [dev]);
  const page = await openBoardAs(dev, board);

  await page.keyboard.press('?');
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(overlay).toBeVisible();
  for (const key of ['/', 'c', 'j / k', 'Enter or e', 'Esc'])
    await expect(overlay.getByText(key, { exact: true })).toBeVisible();
  // Modal: Tab stays in the overlay.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await overlay.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  // Shortcuts are off while it is open.
  await page.keyboard.press('c');
  await expect(page.getByLabel('New card title')).not.toBeFocused();
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);
});
