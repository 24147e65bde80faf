/** Signing in: the right password opens your boards; a wrong one is refused with a clear message. */
import { expect, test } from './fixtures.ts';

test('a team member signs in and sees the boards they belong to', async ({ page, team }) => {
  const ada = await team.person('Ada Lovelace');
  const board = await team.board('Payments', [ada]);

  await page.goto('/');
  await page.getByLabel('E-mail').fill(ada.email);
  await page.getByLabel('Password').fill(ada.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByTestId('signed-in-as')).toHaveText('Ada Lovelace');
  await page.getByRole('link', { name: new RegExp(board.key) }).click();
  await expect(page).toHaveURL(new RegExp(`/boards/${board.id}$`));
  await expect(page.getByTestId('board-name')).toHaveText('Payments');
});

test('a wrong password is refused with a message and nobody is signed in', async ({ page, team }) => {
  const ada = await team.person('Ada Lovelace');

  await page.goto('/');
  await page.getByLabel('E-mail').fill(ada.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('alert')).toHaveText(/wrong e-mail or password/i);
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
