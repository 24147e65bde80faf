/**
 * The board's service levels, set in the browser: a product owner opens "Service levels" from the
 * board's tab bar, changes a tier's response target (in hours and minutes) and adds a holiday to the
 * office calendar; both are kept after a reload, and a developer watching the backlog sees the
 * incident's SLA chip follow the new target at once. A bad value is refused next to its field and
 * changes nothing. A developer only reads the levels, and the button goes when the service desk is
 * turned off for the board. Someone else's save while the dialog is open is never silently lost.
 */
import type { Locator, Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { SlaDocumentReply } from '../protocol/sla.ts';
import { expect, type Team, test } from './fixtures.ts';

// Every story opens a board in a browser and the dialog loads its own chunk: slow on shared cores.
test.beforeEach(() => test.setTimeout(240_000));
/** for what waits on the server: the dialog's read, a save, a chip following an event */
const SERVER = { timeout: 30_000 };

async function boardWithOwnerAndDeveloper(team: Team, name: string) {
  const owner = await team.person('Priya Owner');
  const dev = await team.person('Bob Dev');
  const board = await team.board(`${name} ${Date.now()}`, [owner, dev]);
  await team.role(board, owner, 'product_owner');
  return { board, owner, dev };
}

async function openServiceLevels(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Service levels' }).click();
  const dialog = page.getByTestId('service-levels');
  await expect(dialog.getByRole('heading', { name: 'Service levels' })).toBeVisible(SERVER);
  await expect(dialog.getByLabel('Critical response hours')).toBeVisible(SERVER);
  return dialog;
}

const slaOf = (team: Team, board: Board) =>
  team.admin.send<SlaDocumentReply>('GET', `/api/boards/${board.id}/sla`);

async function setTarget(
  dialog: Locator,
  name: string,
  which: 'response' | 'resolution',
  h: number,
  m: number,
) {
  await dialog.getByLabel(`${name} ${which} hours`).fill(String(h));
  await dialog.getByLabel(`${name} ${which} minutes`).fill(String(m));
}

test('a product owner changes a response target and a holiday; both are kept, and a colleague’s chip follows live', async ({
  team,
  openBoardAs,
}) => {
  const { board, owner, dev } = await boardWithOwnerAndDeveloper(team, 'Service levels');
  // Critical incidents count round the clock by default, with a 15-minute response target.
  const incident = await team.admin.send<{ key: string }>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Checkout is down',
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });
  const devPage = await openBoardAs(dev, board);
  const chip = devPage.locator(`[data-testid="card"][data-key="${incident.key}"]`).getByTestId('sla-chip');
  await expect(chip).toContainText(/resp 1[0-4]m \d\ds/, SERVER);
  await devPage.evaluate(() => {
    (window as unknown as { notReloaded: boolean }).notReloaded = true;
  });

  const ownerPage = await openBoardAs(owner, board);
  let dialog = await openServiceLevels(ownerPage);
  await expect(dialog.getByLabel('Critical response minutes')).toHaveValue('15');
  await setTarget(dialog, 'Critical', 'response', 2, 0);
  await expect(dialog.locator('[data-field="targets.critical.response"]')).toContainText('2 h');
  const office = dialog.getByTestId('sla-calendar').first();
  await expect(office).toContainText('used by High, Normal, Low, Service requests');
  await office.getByLabel('New holiday').fill('2026-12-28');
  await office.getByRole('button', { name: 'Add holiday' }).click();
  await expect(office.getByTestId('sla-holiday')).toHaveCount(1);
  await ownerPage.screenshot({ path: 'test-results/sla-settings-editing.png' });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden(SERVER);
  await expect(ownerPage.getByText('Service levels saved')).toBeVisible();

  // The developer's chip now counts down from two hours, without a reload.
  await expect(chip).toContainText(/resp (1h 5\dm|2h 00m)/, SERVER);
  expect(await devPage.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
    true,
  );

  // The server has it: every target counting in the office calendar took the holiday.
  const saved = await slaOf(team, board);
  expect(saved.revision).toBe(1);
  expect(saved.document.tiers.critical.responseMinutes).toBe(120);
  for (const target of [saved.document.tiers.high, saved.document.tiers.low, saved.document.request])
    expect(target.calendar).toMatchObject({ kind: 'business', holidays: ['2026-12-28'] });

  await ownerPage.reload();
  dialog = await openServiceLevels(ownerPage);
  await expect(dialog.getByLabel('Critical response hours')).toHaveValue('2');
  await expect(dialog.getByLabel('Critical response minutes')).toHaveValue('0');
  await expect(dialog.getByTestId('sla-holiday')).toHaveAttribute('data-day', '2026-12-28');
  await expect(dialog.getByText('revision 1')).toBeVisible();
  await dialog.screenshot({ path: 'test-results/sla-settings-dialog.png' });
  if (process.env.SCREENSHOT_DOCS) await dialog.screenshot({ path: 'docs/sla-settings.png' });
});

test('a bad target or time zone is refused next to its field, and nothing is saved', async ({
  team,
  openBoardAs,
}) => {
  const { board, owner } = await boardWithOwnerAndDeveloper(team, 'Bad levels');
  const before = await slaOf(team, board);
  const page = await openBoardAs(owner, board);
  const dialog = await openServiceLevels(page);

  await setTarget(dialog, 'High', 'response', 0, 0);
  const office = dialog.getByTestId('sla-calendar').first();
  await office.getByLabel('New holiday').fill('2026-12-24');
  await office.getByRole('button', { name: 'Add holiday' }).click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  const highResponse = dialog.locator('[data-field="targets.high.response"]');
  await expect(highResponse.getByTestId('field-error')).toHaveText('must be more than 0', SERVER);
  await expect(dialog.getByTestId('field-error')).toHaveCount(1);
  await expect(dialog).toBeVisible();

  // Mended, the next fault is the time zone, shown at the calendar's zone field.
  await setTarget(dialog, 'High', 'response', 1, 0);
  await office.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(
    office.locator('[data-field="calendars.0.timeZone"]').getByTestId('field-error'),
  ).toContainText('unknown time zone Mars/Olympus_Mons');
  await expect(highResponse.getByTestId('field-error')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/sla-settings-refused.png' });

  expect(await slaOf(team, board)).toEqual(before);
  expect(before.revision).toBe(0);
});

test('a developer reads the service levels but cannot edit them; the button goes with the service desk', async ({
  team,
  openBoardAs,
}) => {
  const { board, dev } = await boardWithOwnerAndDeveloper(team, 'Read levels');
  const page = await openBoardAs(dev, board);
  const dialog = await openServiceLevels(page);
  await expect(dialog.getByTestId('service-levels-readonly')).toBeVisible();
  await expect(dialog.getByLabel('Critical response minutes')).toHaveValue('15');
  await expect(dialog.getByLabel('Critical response minutes')).toBeDisabled();
  await expect(dialog.getByLabel('Time zone')).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Add holiday' })).toHaveCount(0);
  await page.screenshot({ path: 'test-results/sla-settings-readonly.png' });
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toBeHidden();

  // The service desk turned off for this board: the button goes from the open page.
  const button = page.getByRole('button', { name: 'Service levels' });
  await expect(button).toBeVisible();
  await team.admin.send('PUT', '/api/flags/service-desk/overrides', {
    boardId: board.id,
    value: false,
    reason: 'e2e: service desk off on this board',
  });
  await expect(button).toHaveCount(0, SERVER);
});

test('someone else’s save while the dialog is open: shown at once without edits, offered with them', async ({
  team,
  openBoardAs,
}) => {
  const { board, owner } = await boardWithOwnerAndDeveloper(team, 'Two editors');
  const page = await openBoardAs(owner, board);
  const dialog = await openServiceLevels(page);
  const saveElsewhere = async (critical: number) => {
    const { document } = await slaOf(team, board);
    await team.admin.send('PUT', `/api/boards/${board.id}/sla`, {
      ...document,
      tiers: { ...document.tiers, critical: { ...document.tiers.critical, responseMinutes: critical } },
    });
  };

  await saveElsewhere(20);
  await expect(dialog.getByLabel('Critical response minutes')).toHaveValue('20', SERVER);
  await expect(dialog.getByTestId('saved-elsewhere')).toHaveCount(0);

  await setTarget(dialog, 'Low', 'response', 9, 0);
  await saveElsewhere(25);
  await expect(dialog.getByTestId('saved-elsewhere')).toContainText('revision 2', SERVER);
  await expect(dialog.getByLabel('Low response hours')).toHaveValue('9'); // the edit is still there
  await dialog.getByRole('button', { name: 'Show their version' }).click();
  await expect(dialog.getByLabel('Critical response minutes')).toHaveValue('25');
  await expect(dialog.getByLabel('Low response hours')).toHaveValue('8');
  await expect(dialog.getByTestId('saved-elsewhere')).toHaveCount(0);
});
