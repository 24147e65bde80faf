/** Signing in: the right password opens your boards; a wrong one is refused with a clear message. */

import { ADMIN } from './env.ts';
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

test('a board admin brings in a colleague without an account, who then signs in to the board', async ({
  team,
  openBoardAs,
  browser,
}) => {
  const lead = await team.person('Lena Lead');
  const board = await team.board('Onboarding', []);
  await team.admin.send('PUT', `/api/boards/${board.id}/members`, { email: lead.email, role: 'admin' });
  const page = await openBoardAs(lead, board);
  const niaEmail = `nia.${Date.now()}@e2e.example`;

  await page.getByRole('button', { name: /People/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('E-mail').fill(niaEmail);
  await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption('developer');
  await dialog.getByRole('button', { name: 'Add to board' }).click();
  // Only administrators create accounts; Lena is a board admin, not a system administrator.
  await expect(dialog.getByRole('alert')).toContainText('Ask an administrator');

  await team.admin.send('POST', '/api/users', {
    email: niaEmail,
    name: 'Nia New',
    password: 'nia quiet orchard lantern',
  });
  await dialog.getByRole('button', { name: 'Add to board' }).click();
  await expect(dialog).toContainText('Nia New');

  const nia = await browser.newContext();
  const niaPage = await nia.newPage();
  await niaPage.goto('/');
  await niaPage.getByLabel('E-mail').fill(niaEmail);
  await niaPage.getByLabel('Password').fill('nia quiet orchard lantern');
  await niaPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(niaPage.getByRole('link', { name: /Onboarding/ })).toBeVisible();
  await nia.close();
});

test('an administrator creating an account sees why the server refuses a password, then uses a passphrase', async ({
  team,
  openBoardAs,
}) => {
  const board = await team.board('Hiring', []);
  const admin = { id: '', ...ADMIN };
  const page = await openBoardAs(admin, board);
  const omarEmail = `omar.${Date.now()}@e2e.example`;

  await page.getByRole('button', { name: /People/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('E-mail').fill(omarEmail);
  await dialog.getByRole('button', { name: 'Add to board' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Create one below');
  await dialog.getByLabel('Name', { exact: true }).fill('Omar New');
  // Long enough for the browser's own check; the server refuses it as common and says so.
  await dialog.getByLabel('First password').fill('passwordpassword');
  await dialog.getByRole('button', { name: 'Create account and add' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(/^password: too common — /);
  await expect(dialog).not.toContainText('Omar New');

  await dialog.getByLabel('First password').fill('omar keeps seven copper kites');
  await dialog.getByRole('button', { name: 'Create account and add' }).click();
  await expect(dialog.getByRole('listitem').filter({ hasText: 'Omar New' })).toBeVisible();
});
