/** Creating a board: a key another board has (in any case) is refused with the server's reason. */
import { ADMIN } from './env.ts';
import { expect, test } from './fixtures.ts';

test('a board key already in use is refused with a clear message, and no second board appears', async ({
  page,
  team,
}) => {
  const taken = await team.board('Payments');

  await page.goto('/');
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: '+ New board' }).click();
  await page.getByLabel('Board name').fill('Payments again');
  await page.getByLabel(/Key/).fill(taken.key.toLowerCase());
  await page.getByRole('button', { name: 'Create board' }).click();

  await expect(page.getByRole('alert')).toHaveText(`key: another board already has the key ${taken.key}`);
  await expect(page.getByRole('link', { name: /Payments again/ })).toHaveCount(0);
});
