/**
 * Editing a rota in the rota dialog (issue 20), as a schedule editor: a manager clicks Edit on a
 * weekly rota, renames it, moves its hand-off and adds a person; the server's rota changes, its
 * start date and override stay. Cancel leaves the rota as it was. Custom and follow-the-sun rotas
 * open with their own fields filled in. On a phone, a refused save shows its reason in view next to
 * the Save button. A manager removes an override and deletes a rota, unless a policy pages it. A
 * developer, who may not manage on-call, has no Edit, Delete or Remove button.
 */
import type { Locator, Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { Rota } from '../protocol/oncall.ts';
import { expect, type Person, type Team, test } from './fixtures.ts';
import { oncallCrew, openRotaDialog, rotasOf, SERVER, SHOTS, weeklyRota } from './oncall-crew.ts';

test.beforeEach(() => test.setTimeout(180_000));
const PHONE = { width: 390, height: 844 };

/**
 * Ada manages on-call; Bob and Cy are developers. AMS weekly: Bob then Ada (not the board's order of
 * people, so that a save that sorted them would show), Bob covers tomorrow.
 */
async function seed(team: Team) {
  const { people, board } = await oncallCrew(team, 'Rota edit', ['Ada Lead', 'Bob Dev', 'Cy Night']);
  const [ada, bob, cy] = people as [Person, Person, Person];
  const rota = await weeklyRota(team, board, [bob, ada]);
  const day = 86_400_000;
  const withOverride = await team.admin.send<Rota>(
    'POST',
    `/api/boards/${board.id}/oncall/rotas/${rota.id}/covers`,
    {
      kind: 'override',
      userId: bob.id,
      from: new Date(Date.now() + day).toISOString(),
      to: new Date(Date.now() + 2 * day).toISOString(),
    },
  );
  return { ada, bob, cy, board, rota: withOverride };
}

const rotaOf = (team: Team, board: Board, rota: Rota) =>
  team.admin.send<Rota>('GET', `/api/boards/${board.id}/oncall/rotas/${rota.id}`);

/** Clicks into a text field, selects what is there and types over it, as a user does. */
async function typeOver(page: Page, field: Locator, text: string) {
  await field.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

test('a manager edits a weekly rota: new name, hand-off time and member; its start and override stay', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, cy, board, rota } = await seed(team);
  expect(rota.covers).toHaveLength(1);
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);
  const listed = dialog.getByTestId('rota').filter({ hasText: 'AMS weekly' });
  await expect(listed).toContainText('(weekly, Monday 09:00 Europe/London) — Bob Dev → Ada Lead', SERVER);

  // Cancel leaves the rota alone and the form back at a new rota.
  await listed.getByRole('button', { name: 'Edit rota AMS weekly' }).click();
  let form = dialog.getByRole('form', { name: 'Edit rota AMS weekly' });
  await typeOver(page, form.getByLabel('Name'), 'Scrapped');
  await form.getByRole('button', { name: 'Cancel' }).click();
  form = dialog.getByRole('form', { name: 'New weekly rota' });
  await expect(form.getByLabel('Name')).toHaveValue('AMS on call');
  await expect(form.getByRole('button', { name: 'Create rota' })).toBeVisible();
  await expect(form.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  expect((await rotaOf(team, board, rota)).name).toBe('AMS weekly');

  // Edit: the form holds the rota as it is.
  await listed.getByRole('button', { name: 'Edit rota AMS weekly' }).click();
  form = dialog.getByRole('form', { name: 'Edit rota AMS weekly' });
  await expect(form.getByRole('heading', { name: 'Edit rota AMS weekly' })).toBeVisible();
  await expect(form.getByLabel('Name')).toHaveValue('AMS weekly');
  await expect(form.getByLabel('Name')).toBeFocused();
  await expect(form.getByLabel('Shift pattern')).toHaveValue('weekly');
  await expect(form.getByLabel('Time zone')).toHaveValue('Europe/London');
  await expect(form.getByLabel('Hand-off day')).toHaveValue('1');
  await expect(form.getByLabel('Hand-off time')).toHaveValue('09:00');
  await expect(form.getByLabel('Ada Lead')).toBeChecked();
  await expect(form.getByLabel('Bob Dev')).toBeChecked();
  await expect(form.getByLabel('Cy Night')).not.toBeChecked();
  await expect(form.getByLabel('Rotates members between development and AMS duty')).not.toBeChecked();

  await typeOver(page, form.getByLabel('Name'), 'AMS weekly (EU)');
  // The time field's hour comes first; typing fills hour then minutes.
  const time = form.getByLabel('Hand-off time');
  const box = (await time.boundingBox())!;
  await page.mouse.click(box.x + 14, box.y + box.height / 2);
  await page.keyboard.type('1015');
  await expect(time).toHaveValue('10:15');
  // The boxes show each person's turn; a new pick takes the last turn.
  await expect(form.getByText('Bob Dev')).toContainText('#1');
  await expect(form.getByText('Ada Lead')).toContainText('#2');
  await form.getByText('Cy Night').click();
  await expect(form.getByLabel('Cy Night')).toBeChecked();
  await expect(form.getByText('Cy Night')).toContainText('#3');
  // Turns are reordered with the arrows beside each ticked person: Cy goes first.
  const turnsOf = (name: string) => form.getByTestId('rota-member').filter({ hasText: name });
  const earlier = turnsOf('Cy Night').getByRole('button', { name: 'One turn earlier' });
  await earlier.click();
  await expect(form.getByText('Cy Night')).toContainText('#2');
  await expect(form.getByText('Ada Lead')).toContainText('#3');
  await earlier.click();
  await expect(form.getByText('Cy Night')).toContainText('#1');
  await expect(form.getByText('Bob Dev')).toContainText('#2');
  await expect(earlier).toBeDisabled();
  await expect(turnsOf('Ada Lead').getByRole('button', { name: 'One turn later' })).toBeDisabled();
  await expect(earlier).toHaveAccessibleDescription(/Cy Night/);
  // The heading keeps the name the rota has until it is saved.
  await expect(form.getByRole('heading', { name: 'Edit rota AMS weekly' })).toBeVisible();
  await expect(listed).toHaveAttribute('class', /editing/);
  await form.scrollIntoViewIfNeeded();
  await dialog.screenshot({ path: `${SHOTS}/rota-edit-1440.png` });
  await dialog.evaluate((d) => d.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/rota-edit-1440-list.png` });
  await form.getByRole('button', { name: 'Save rota' }).click();

  await expect(page.getByText('Rota AMS weekly (EU) saved')).toBeVisible(SERVER);
  const edited = dialog.getByTestId('rota').filter({ hasText: 'AMS weekly (EU)' });
  await expect(edited).toContainText(
    '(weekly, Monday 10:15 Europe/London) — Cy Night → Bob Dev → Ada Lead',
    SERVER,
  );
  await expect(edited.getByTestId('rota-cover')).toContainText('override: Bob Dev');
  // The form is back at a new rota.
  form = dialog.getByRole('form', { name: 'New weekly rota' });
  await expect(form.getByLabel('Name')).toHaveValue('AMS on call');
  await expect(form.getByRole('button', { name: 'Save rota' })).toHaveCount(0);

  const saved = await rotaOf(team, board, rota);
  expect(saved).toMatchObject({
    name: 'AMS weekly (EU)',
    duty: 'ams',
    rotation: false,
    members: [cy.id, bob.id, ada.id],
    pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '10:15' },
    startDate: rota.startDate,
  });
  expect(saved.covers).toEqual(rota.covers);
  expect(await rotasOf(team, board)).toHaveLength(1);
});

test('custom and follow-the-sun rotas open with their own fields filled in', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, cy, board } = await seed(team);
  const send = (body: object) =>
    team.admin.send<Rota>('POST', `/api/boards/${board.id}/oncall/rotas`, {
      duty: 'development',
      startDate: '2026-01-05',
      ...body,
    });
  await send({
    name: 'Day and night',
    members: [bob.id, cy.id],
    rotation: true,
    pattern: { kind: 'custom', zone: 'Europe/Berlin', startTime: '07:00', shiftHours: [12, 8, 4] },
  });
  const sun = await send({
    name: 'Round the world',
    members: [ada.id, cy.id],
    pattern: {
      kind: 'follow_the_sun',
      shifts: [
        { name: 'Sydney', zone: 'Australia/Sydney', start: '09:00', end: '16:00', members: [ada.id] },
        { name: 'London', zone: 'Europe/London', start: '07:00', end: '13:00', members: [cy.id] },
      ],
    },
  });
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);

  await dialog.getByRole('button', { name: 'Edit rota Day and night' }).click();
  let form = dialog.getByRole('form', { name: 'Edit rota Day and night' });
  await expect(form.getByLabel('Shift pattern')).toHaveValue('custom');
  await expect(form.getByLabel('Time zone')).toHaveValue('Europe/Berlin');
  await expect(form.getByLabel('First shift starts')).toHaveValue('07:00');
  await expect(form.getByLabel('Shift lengths in hours, in turn')).toHaveValue('12, 8, 4');
  await expect(form.getByLabel('Bob Dev')).toBeChecked();
  await expect(form.getByLabel('Ada Lead')).not.toBeChecked();
  await expect(form.getByLabel('Rotates members between development and AMS duty')).toBeChecked();

  // Another rota's Edit while editing: the form holds that one now.
  await dialog.getByRole('button', { name: 'Edit rota Round the world' }).click();
  form = dialog.getByRole('form', { name: 'Edit rota Round the world' });
  await expect(form.getByLabel('Shift pattern')).toHaveValue('follow_the_sun');
  const regions = form.getByTestId('sun-region');
  await expect(regions).toHaveCount(2);
  await expect(regions.nth(0).getByLabel('Region name')).toHaveValue('Sydney');
  await expect(regions.nth(0).getByLabel('Region time zone')).toHaveValue('Australia/Sydney');
  await expect(regions.nth(1).getByLabel('Region 2 starts')).toHaveValue('07:00');
  await expect(form.getByLabel('Sydney: Ada Lead')).toBeChecked();
  await expect(form.getByLabel('London: Cy Night')).toBeChecked();
  await expect(form.getByLabel('London: Ada Lead')).not.toBeChecked();

  // Bob joins London and takes its first turn; saving keeps everything else, the development duty too.
  await form.getByLabel('London: Bob Dev').click();
  const bobInLondon = regions.nth(1).getByTestId('sun-member').filter({ hasText: 'Bob Dev' });
  await expect(bobInLondon).toContainText('#2');
  await bobInLondon.getByRole('button', { name: 'One turn earlier in London' }).click();
  await expect(bobInLondon).toContainText('#1');
  await expect(regions.nth(1).getByTestId('sun-member').filter({ hasText: 'Cy Night' })).toContainText('#2');
  await regions.nth(1).screenshot({ path: `${SHOTS}/rota-sun-region-turns.png` });
  await form.getByRole('button', { name: 'Save rota' }).click();
  await expect(page.getByText('Rota Round the world saved')).toBeVisible(SERVER);
  await expect(dialog.getByRole('form', { name: 'New weekly rota' })).toBeVisible();
  const saved = await rotaOf(team, board, sun);
  expect(saved.duty).toBe('development');
  expect(saved.startDate).toBe('2026-01-05');
  // the rota's members are the regions' people, each region's in its turns
  expect(saved.members).toEqual([ada.id, bob.id, cy.id]);
  expect(saved.pattern).toEqual({
    kind: 'follow_the_sun',
    shifts: [
      { name: 'Sydney', zone: 'Australia/Sydney', start: '09:00', end: '16:00', members: [ada.id] },
      { name: 'London', zone: 'Europe/London', start: '07:00', end: '13:00', members: [bob.id, cy.id] },
    ],
  });
});

test('on a phone, a refused save shows why next to the Save button, in view', async ({
  team,
  openBoardAs,
}) => {
  const { ada, board, rota } = await seed(team);
  const page = await openBoardAs(ada, board, undefined, { viewport: PHONE, isMobile: true, hasTouch: true });
  const dialog = await openRotaDialog(page);
  await dialog.getByRole('button', { name: 'Edit rota AMS weekly' }).tap();
  const form = dialog.getByRole('form', { name: 'Edit rota AMS weekly' });
  // The form is far below the list: Edit brings its first field into view.
  await expect(form.getByLabel('Name')).toBeInViewport();
  expect(await dialog.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/rota-edit-390-top.png` });

  // Enter in the zone field sends the form from its top: the refusal, below, is brought into view.
  const zone = form.getByLabel('Time zone');
  await zone.tap();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Europe/Lundun');
  await page.keyboard.press('Enter');
  const refusal = dialog.getByRole('alert');
  // named by the field's label, not the server's path (pattern.zone)
  await expect(refusal).toHaveText('Time zone: unknown time zone Europe/Lundun', SERVER);
  await expect(refusal).toBeInViewport();
  await page.screenshot({ path: `${SHOTS}/rota-edit-390-refused-enter.png` });

  // Saving again from the bottom of the form: the refusal shows next to Save, not at the top.
  await dialog.evaluate((d) => d.scrollTo(0, 0));
  await expect(refusal).not.toBeInViewport();
  const save = form.getByRole('button', { name: 'Save rota' });
  await save.scrollIntoViewIfNeeded();
  const answered = page.waitForResponse((r) => r.request().method() === 'PUT');
  await save.tap();
  expect((await answered).status()).toBe(400);
  await expect(refusal).toHaveText('Time zone: unknown time zone Europe/Lundun');
  await expect(refusal).toBeInViewport();
  await expect(save).toBeInViewport();
  // Still editing, and nothing changed on the server.
  await expect(form.getByLabel('Time zone')).toHaveValue('Europe/Lundun');
  expect((await rotaOf(team, board, rota)).pattern).toEqual(rota.pattern);
  await page.screenshot({ path: `${SHOTS}/rota-edit-390-refused.png` });
});

test('a developer reads the rotas but has no Edit button', async ({ team, openBoardAs }) => {
  const { bob, board } = await seed(team);
  const page = await openBoardAs(bob, board);
  const dialog = await openRotaDialog(page);
  await expect(dialog.getByTestId('rota')).toContainText('AMS weekly', SERVER);
  await expect(dialog.getByRole('button', { name: /^(Edit|Delete|Remove)/ })).toHaveCount(0);
  await expect(dialog.getByRole('form')).toHaveCount(0);
});

test('someone who has left the board shows as a former member, to be unticked before the rota saves', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, cy, board } = await seed(team);
  const rota = await weeklyRota(team, board, [bob, cy, ada], { name: 'Night cover' });
  await team.admin.send('DELETE', `/api/boards/${board.id}/members/${cy.id}`);
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);
  const listed = dialog.getByTestId('rota').filter({ hasText: 'Night cover' });
  await expect(listed).toContainText('Bob Dev → a former member → Ada Lead', SERVER);

  await listed.getByRole('button', { name: 'Edit rota Night cover' }).click();
  const form = dialog.getByRole('form', { name: 'Edit rota Night cover' });
  const former = form.getByLabel('Former member');
  await expect(former).toBeChecked();
  await expect(form.getByText('Former member')).toContainText('#2');
  await former.click();
  await expect(form.getByText('Ada Lead')).toContainText('#2');
  await form.getByRole('button', { name: 'Save rota' }).click();

  await expect(page.getByText('Rota Night cover saved')).toBeVisible(SERVER);
  expect((await rotaOf(team, board, rota)).members).toEqual([bob.id, ada.id]);
});

test('a manager removes an override and deletes a rota; a rota a policy pages stays, and the toast says why', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, board, rota } = await seed(team);
  await weeklyRota(team, board, [ada], { name: 'Spare' });
  await team.admin.send('POST', `/api/boards/${board.id}/oncall/policies`, {
    name: 'Critical incidents',
    priorities: ['critical'],
    steps: [{ target: { kind: 'on_duty', rotaId: rota.id }, afterMinutes: 0 }],
  });
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);
  const weekly = dialog.getByTestId('rota').filter({ hasText: 'AMS weekly' });
  const removeOverride = weekly.getByRole('button', { name: 'Remove override: Bob Dev from AMS weekly' });

  // Dismissing the question changes nothing.
  page.once('dialog', (d) => void d.dismiss());
  await removeOverride.click();
  await expect(weekly.getByTestId('rota-cover')).toHaveCount(1);
  expect((await rotaOf(team, board, rota)).covers).toHaveLength(1);

  page.on('dialog', (d) => void d.accept());
  await removeOverride.click();
  await expect(page.getByText('The override is removed from AMS weekly')).toBeVisible(SERVER);
  await expect(weekly.getByTestId('rota-cover')).toHaveCount(0);
  expect((await rotaOf(team, board, rota)).covers).toEqual([]);

  await weekly.getByRole('button', { name: 'Delete rota AMS weekly' }).click();
  await expect(
    page.getByText('Could not delete AMS weekly: the escalation policy Critical incidents pages this rota'),
  ).toBeVisible(SERVER);
  await expect(weekly).toBeVisible();

  await dialog.getByRole('button', { name: 'Delete rota Spare' }).click();
  await expect(page.getByText('Rota Spare deleted')).toBeVisible(SERVER);
  await expect(dialog.getByTestId('rota')).toHaveCount(1);
  expect((await rotasOf(team, board)).map((r) => r.name)).toEqual(['AMS weekly']);
  expect((await rotaOf(team, board, rota)).members).toEqual([bob.id, ada.id]);
  await dialog.screenshot({ path: `${SHOTS}/rota-delete-1440.png` });
});
