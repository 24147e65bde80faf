/**
 * Changing your own password from the account menu, with the same person signed in in a second
 * browser: each refusal shows under the field it is about, and once the change is made the other
 * browser is signed out on its own (its board socket is cut) and takes only the new password. And
 * when someone forgot theirs: an administrator sets a new one from the board's People dialog.
 */
import type { Board } from '../protocol/model.ts';
import { ADMIN } from './env.ts';
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

test('an administrator sets a forgotten password from the People dialog, and its owner is signed out', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const sam: Person = await team.person('Sam Forgetful');
  const board: Board = await team.board(`Forgotten ${Date.now()}`, [sam]);
  const admin = await openBoardAs({ ...ADMIN, id: '' }, board);
  const samsPage = await openBoardAs(sam, board);

  await admin.getByRole('button', { name: /^People/ }).click();
  await admin.getByRole('button', { name: 'Set password of Sam Forgetful' }).click();
  const form = admin.getByRole('form', { name: 'New password for Sam Forgetful' });
  const input = form.getByLabel('New password for Sam Forgetful');
  await input.fill('sam forgetful sam forgetful');
  await form.getByRole('button', { name: 'Set' }).click();
  await expect(form.getByRole('alert')).toContainText(/e-mail|name/);
  await admin.screenshot({ path: 'test-results/shots/set-password-refused.png' });

  const fresh = 'marble otter counts the autumn tides';
  await input.fill(fresh);
  await form.getByRole('button', { name: 'Set' }).click();
  await expect(admin.getByText("Sam Forgetful's password is set: pass it on to them safely.")).toBeVisible();
  await expect(form).toHaveCount(0);

  // Sam's open board signs itself out; the old password no longer works, the new one does.
  await expect(samsPage.getByText('Your session has ended. Sign in again')).toBeVisible({ timeout: 10_000 });
  await samsPage.getByLabel('E-mail').fill(sam.email);
  await samsPage.getByLabel('Password').fill(sam.password);
  await samsPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(samsPage.getByRole('alert')).toContainText(/wrong e-mail or password/i);
  await samsPage.getByLabel('Password').fill(fresh);
  await samsPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(samsPage.getByTestId('board-name')).toHaveText(board.name);

  // Nobody else sees the button: Sam, a developer, has no "Set password" in the same dialog.
  await samsPage.getByRole('button', { name: /^People/ }).click();
  await expect(samsPage.getByRole('dialog')).toBeVisible();
  await expect(samsPage.getByRole('button', { name: /^Set password of/ })).toHaveCount(0);
});
