/**
 * On-call settings in the rota dialog (issue 20): a manager edits an escalation policy's step and it
 * is kept after a reload; a bad value is refused next to its field and changes nothing; a developer
 * only reads the policy; and a person's service history lists where they served, AMS and
 * development duty, as the server computes it.
 */
import type { Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { Policy, Rota, ServiceHistory } from '../protocol/oncall.ts';
import { expect, type Person, type Team, test } from './fixtures.ts';
import { oncallCrew, openRotaDialog, SERVER, SHOTS, weeklyRota } from './oncall-crew.ts';

test.beforeEach(() => test.setTimeout(180_000));

async function seed(team: Team) {
  const { people, board } = await oncallCrew(team, 'On-call settings', ['Ada Lead', 'Bob Dev']);
  const [ada, bob] = people as [Person, Person];
  // Weekly, rotating between AMS and development, started four Mondays back: both have served.
  const rota = await weeklyRota(team, board, [ada, bob], { rotation: true });
  const policy = await team.admin.send<Policy>('POST', `/api/boards/${board.id}/oncall/policies`, {
    name: 'Critical incidents',
    priorities: ['critical'],
    steps: [
      { target: { kind: 'on_duty', rotaId: rota.id }, afterMinutes: 0 },
      { target: { kind: 'next_on_duty', rotaId: rota.id }, afterMinutes: 15 },
    ],
  });
  return { ada, bob, board, policy };
}

async function openDialog(page: Page) {
  const dialog = await openRotaDialog(page);
  await expect(dialog.getByTestId('policy')).toHaveCount(1, SERVER);
  return dialog;
}

const policyOf = async (team: Team, board: Board) =>
  (await team.admin.send<Policy[]>('GET', `/api/boards/${board.id}/oncall/policies`))[0]!;

test('a manager edits a policy step; it is kept after a reload, and a bad value is refused at its field', async ({
  team,
  openBoardAs,
}) => {
  const { ada, board } = await seed(team);
  const page = await openBoardAs(ada, board);
  let dialog = await openDialog(page);
  const minutes = dialog.getByLabel('Step 2 after minutes');
  await expect(minutes).toHaveValue('15');
  await minutes.fill('20');
  await dialog.getByLabel('Step 2 pages').selectOption({ label: 'Ada Lead' });
  await dialog.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Escalation policy Critical incidents saved')).toBeVisible(SERVER);
  expect((await policyOf(team, board)).steps[1]).toEqual({
    target: { kind: 'user', userId: ada.id },
    afterMinutes: 20,
  });

  await page.reload();
  dialog = await openDialog(page);
  await expect(dialog.getByLabel('Step 2 after minutes')).toHaveValue('20');
  await expect(dialog.getByLabel('Step 2 pages').locator('option:checked')).toHaveText('Ada Lead');
  await dialog.screenshot({ path: `${SHOTS}/policy-editor.png` });

  // The rules: a step no later than the one before is refused, next to that field.
  await dialog.getByLabel('Step 2 after minutes').fill('0');
  await dialog.getByRole('button', { name: 'Save policy' }).click();
  const fieldError = dialog.locator('[data-field="steps.1.afterMinutes"]');
  await expect(fieldError).toContainText('each step comes later than the one before', SERVER);
  await expect(dialog.getByLabel('Step 2 after minutes')).toHaveAttribute('aria-invalid', 'true');
  await dialog.screenshot({ path: `${SHOTS}/policy-field-error.png` });
  // The schema: more than a day is refused at the same field.
  await dialog.getByLabel('Step 2 after minutes').fill('2000');
  await dialog.getByRole('button', { name: 'Save policy' }).click();
  await expect(fieldError).toContainText('1440', SERVER);
  expect((await policyOf(team, board)).steps[1]?.afterMinutes).toBe(20);
});

test('a developer reads the policy but cannot edit it', async ({ team, openBoardAs }) => {
  const { bob, board } = await seed(team);
  const page = await openBoardAs(bob, board);
  const dialog = await openDialog(page);
  const steps = dialog.getByTestId('policy-step');
  await expect(steps).toHaveText([
    'after 0 min: on duty in AMS weekly',
    'after 15 min: next on duty in AMS weekly',
  ]);
  await expect(dialog.getByRole('button', { name: 'Save policy' })).toHaveCount(0);
  await expect(dialog.getByTestId('escalation-policies').getByRole('spinbutton')).toHaveCount(0);
  await dialog.screenshot({ path: `${SHOTS}/policy-read-only.png` });
});

test('a person’s service history lists where they served, AMS and development duty', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, board } = await seed(team);
  const expected = await team.admin.send<ServiceHistory>(
    'GET',
    `/api/boards/${board.id}/oncall/history/${ada.id}`,
  );
  expect(new Set(expected.periods.map((p) => p.duty))).toEqual(new Set(['ams', 'development']));

  const page = await openBoardAs(bob, board);
  const dialog = await openDialog(page);
  await dialog.getByLabel('Service history of').selectOption({ label: 'Ada Lead' });
  const rows = dialog.getByTestId('service-period');
  await expect(rows).toHaveCount(expected.periods.length, SERVER);
  await expect(rows.first()).toContainText('AMS weekly');
  await expect(dialog.locator('[data-testid="service-period"][data-duty="ams"]')).toHaveCount(
    expected.periods.filter((p) => p.duty === 'ams').length,
  );
  await expect(
    dialog.locator('[data-testid="service-period"][data-duty="development"]').first(),
  ).toContainText('development');
  await expect(dialog.getByTestId('service-hours')).toContainText('Ada Lead, last 90 days: AMS');
  await dialog.getByTestId('service-history').scrollIntoViewIfNeeded();
  await dialog.screenshot({ path: `${SHOTS}/service-history.png` });
});

test('a manager creates custom and follow-the-sun rotas and adds a swap', async ({ team, openBoardAs }) => {
  const { ada, bob, board } = await seed(team);
  const page = await openBoardAs(ada, board);
  const dialog = await openDialog(page);

  let form = dialog.getByRole('form', { name: 'New weekly rota' });
  await form.getByLabel('Shift pattern').selectOption('custom');
  form = dialog.getByRole('form', { name: 'New custom rota' });
  await form.getByLabel('Name').fill('Day and night');
  await form.getByLabel('Time zone').fill('Europe/Berlin');
  await form.getByLabel('Shift lengths in hours, in turn').fill('12, 12');
  await form.getByLabel('Ada Lead').check();
  await form.getByLabel('Bob Dev').check();
  await form.getByRole('button', { name: 'Create rota' }).click();
  await expect(dialog.getByTestId('rota').filter({ hasText: 'Day and night' })).toContainText(
    'custom, from 08:00 Europe/Berlin, shifts of 12 + 12 h',
    SERVER,
  );

  await form.getByLabel('Shift pattern').selectOption('follow_the_sun');
  form = dialog.getByRole('form', { name: 'New follow-the-sun rota' });
  await form.getByLabel('Name', { exact: true }).fill('Round the world');
  await form.getByLabel('Europe: Ada Lead').check();
  await form.getByLabel('Americas: Bob Dev').check();
  await form.getByRole('button', { name: 'Create rota' }).click();
  await expect(dialog.getByTestId('rota').filter({ hasText: 'Round the world' })).toContainText(
    'follow the sun: Europe 07:00–15:00 Europe/London, Americas 08:00–16:00 America/Los_Angeles',
    SERVER,
  );

  const cover = dialog.getByRole('form', { name: 'Add an override' });
  await cover.getByLabel('Rota').selectOption({ label: 'AMS weekly' });
  await cover.getByLabel('Kind').selectOption('swap');
  await cover.getByLabel('Who swaps').selectOption({ label: 'Ada Lead' });
  await cover.getByLabel('Swaps with').selectOption({ label: 'Bob Dev' });
  await cover.getByLabel('From').fill('2027-01-04T09:00');
  await cover.getByLabel('To').fill('2027-01-18T09:00');
  await cover.getByRole('button', { name: 'Add swap' }).click();
  await expect(
    dialog.getByTestId('rota').filter({ hasText: 'AMS weekly' }).getByTestId('rota-cover'),
  ).toContainText('swap: Ada Lead ↔ Bob Dev', SERVER);
  const rotas = await team.admin.send<Rota[]>('GET', `/api/boards/${board.id}/oncall/rotas`);
  expect(rotas.find((r) => r.name === 'AMS weekly')?.covers).toEqual([
    expect.objectContaining({ kind: 'swap', userId: ada.id, withUserId: bob.id }),
  ]);
  expect(rotas.find((r) => r.name === 'Round the world')?.members.sort()).toEqual([ada.id, bob.id].sort());
  await dialog.screenshot({ path: `${SHOTS}/rota-dialog-swap-form.png` });
  await dialog.evaluate((d) => d.scrollTo(0, 0));
  await dialog.screenshot({ path: `${SHOTS}/rota-dialog-patterns.png` });
});
