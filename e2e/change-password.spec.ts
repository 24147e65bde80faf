/**
 * Changing your own password from the account menu, with the same person signed in in a second
 * browser: each refusal shows under the field it is about, and once the change is made the other
 * browser is signed out on its own (its board socket is cut) and takes only the new password.
 */
import type { Board } from '../protocol/model.ts';
import { expect, type Person, test } from './fixtures.ts';

test('change your password: refusals under their fields, then your other browser is signed out', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat: Person = await team.person('Pat Changer');
  const board: Board = await team.board(`Passwords ${Date.now()}`, [pat]);
  const here = await openBoardAs(pat, board);
  const there = await openBoardAs(pat, board);

  await here.getByTestId('user-menu-button').click();
  await here.getByRole('button', { name: 'Change password…' }).click();
  const dialog = here.getByRole('dialog', { name: 'Change password' });
  await expect(dialog).toBeVisible();
  const current = dialog.getByLabel('Current password');
  const next = dialog.getByLabel('New password', { exact: true });
  const repeat = dialog.getByLabel('Repeat new password');
  const save = dialog.getByRole('button', { name: 'Change password' });

  // A wrong current password: said under that field.
  const fresh = 'juniper compass sings over nine rivers';
  await current.fill('certainly not the password');
  await next.fill(fresh);
  await repeat.fill(fresh);
  await save.click();
  await expect(dialog.getByRole('alert')).toHaveText('Is not your current password.');
  await expect(current).toHaveAttribute('aria-invalid', 'true');

  // The two new ones differ: said before anything is sent.
  await current.fill(pat.password);
  await repeat.fill(`${fresh}!`);
  await save.click();
  await expect(dialog.getByRole('alert')).toContainText('The two new passwords differ');

  // One the policy refuses (built on the person's name): under the new password.
  await next.fill('pat changer pat changer');
  await repeat.fill('pat changer pat changer');
  await save.click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  await expect(next).toHaveAttribute('aria-invalid', 'true');
  await here.screenshot({ path: 'test-results/shots/change-password-refused.png' });

  // A good one: done, and the other browser learns it is signed out without a click.
  await next.fill(fresh);
  await repeat.fill(fresh);
  await save.click();
  await expect(dialog).toHaveCount(0);
  await expect(here.getByText('Password changed. Your other session was signed out.')).toBeVisible();
  await expect(here.getByTestId('connection')).toHaveAttribute('data-status', 'live');
  await expect(there.getByText('Your session has ended. Sign in again')).toBeVisible({ timeout: 10_000 });
  await there.screenshot({ path: 'test-results/shots/change-password-other-browser.png' });

  // There, the old password no longer signs in; the new one does, back to the board.
  await there.getByLabel('E-mail').fill(pat.email);
  await there.getByLabel('Password').fill(pat.password);
  await there.getByRole('button', { name: 'Sign in' }).click();
  await expect(there.getByRole('alert')).toContainText(/wrong e-mail or password/i);
  await there.getByLabel('Password').fill(fresh);
  await there.getByRole('button', { name: 'Sign in' }).click();
  await expect(there.getByTestId('board-name')).toHaveText(board.name);
});
