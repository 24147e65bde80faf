/**
 * Putting a rota's people in their turns by dragging, as in a schedule editor: the form lists the
 * rota's people in their turns, then everyone else. A manager drags a newly ticked person by the
 * handle to the first turn with the mouse, moves another with the keyboard (Space, arrow, Space on
 * the handle), lets go of a drag with Escape (nothing moves), and saves: the server keeps that order.
 * A follow-the-sun region's people are dragged the same way. Ticking a box keeps the focus on it,
 * though the person moves in the list. The form passes axe with its handles.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import type { Rota } from '../protocol/oncall.ts';
import { expect, type Person, test } from './fixtures.ts';
import { oncallCrew, openRotaDialog, SERVER, SHOTS, weeklyRota } from './oncall-crew.ts';

test.beforeEach(() => test.setTimeout(180_000));

/**
 * The people in the list, top to bottom, each with their turn ("Cy Night #1"), as the page shows them;
 * the board's administrator, on every board, is left out.
 */
const shownTurns = async (rows: Locator) =>
  (await rows.evaluateAll((els) => els.map((el) => el.querySelector('label')?.textContent ?? '')))
    .map((text) => text.replace('#', ' #').replace(/\s+/g, ' ').trim())
    .filter((text) => text !== 'admin');

/**
 * A real mouse drag of a row's handle onto another row, above its middle, released once the library
 * has moved it there. The dialog is first scrolled with the wheel to bring the rows to its middle, as
 * a person does, and stays where it was scrolled throughout.
 */
async function dragHandleOnto(page: Page, row: Locator, onto: Locator) {
  const dialog = page.getByTestId('rota-dialog');
  const scrolled = () => dialog.evaluate((d) => d.scrollTop);
  const target = (await onto.boundingBox())!;
  await page.mouse.move(target.x + target.width / 2, 450);
  await page.mouse.wheel(0, target.y - 450);
  await expect.poll(async () => Math.abs(((await onto.boundingBox())?.y ?? 0) - 450)).toBeLessThan(100);
  const before = await scrolled();
  const from = await row.getByRole('button', { name: /Drag to another turn/ }).boundingBox();
  const to = await onto.boundingBox();
  if (!from || !to) throw new Error('the rows are not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 6, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height * 0.25, { steps: 15 });
  await page.waitForTimeout(150); // the library settles on the row under the pointer
  expect(await scrolled()).toBe(before);
  await page.mouse.up();
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging]')).toHaveCount(0);
}

test('a manager drags people into their turns by the handle, with the mouse and the keyboard', async ({
  team,
  openBoardAs,
}) => {
  const { people, board } = await oncallCrew(team, 'Rota drag', [
    'Ada Lead',
    'Bob Dev',
    'Cy Night',
    'Dee Ops',
  ]);
  const [ada, bob, cy] = people as [Person, Person, Person, Person];
  const rota = await weeklyRota(team, board, [bob, ada]);
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);
  await dialog.getByRole('button', { name: 'Edit rota AMS weekly' }).click();
  const form = dialog.getByRole('form', { name: 'Edit rota AMS weekly' });
  const rows = form.getByTestId('rota-member');
  const row = (name: string) => rows.filter({ hasText: name });

  // The rota's people in their turns first (Bob, then Ada), then the others as the board lists them.
  await expect.poll(() => shownTurns(rows)).toEqual(['Bob Dev #1', 'Ada Lead #2', 'Cy Night', 'Dee Ops']);
  await expect(row('Cy Night').getByRole('button', { name: /Drag to another turn/ })).toHaveCount(0);

  // Ticking Cy with the keyboard: Cy takes the last turn, and the box keeps the focus.
  await form.getByLabel('Cy Night').focus();
  await page.keyboard.press('Space');
  await expect(form.getByLabel('Cy Night')).toBeChecked();
  await expect(form.getByLabel('Cy Night')).toBeFocused();
  await expect.poll(() => shownTurns(rows)).toEqual(['Bob Dev #1', 'Ada Lead #2', 'Cy Night #3', 'Dee Ops']);
  await expect(
    row('Cy Night').getByRole('button', { name: 'Drag to another turn' }),
  ).toHaveAccessibleDescription(/Cy Night/);

  // The handles, boxes and arrows pass axe: no critical or serious violation in the form.
  const { violations } = await new AxeBuilder({ page }).include('[data-testid="rota-dialog"] form').analyze();
  expect(
    violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => v.id),
  ).toEqual([]);

  // The mouse: Cy's handle dragged onto Bob's row takes the first turn.
  await dragHandleOnto(page, row('Cy Night'), row('Bob Dev'));
  await expect.poll(() => shownTurns(rows)).toEqual(['Cy Night #1', 'Bob Dev #2', 'Ada Lead #3', 'Dee Ops']);
  await dialog.screenshot({ path: `${SHOTS}/rota-turns-dragged.png` });

  // Escape lets go mid-drag: nothing moves.
  const adaHandle = row('Ada Lead').getByRole('button', { name: 'Drag to another turn' });
  const box = (await adaHandle.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2, box.y - 60, { steps: 10 });
  await page.keyboard.press('Escape');
  await page.mouse.up();
  await expect(page.locator('[data-dnd-placeholder], [data-dnd-dragging]')).toHaveCount(0);
  await expect.poll(() => shownTurns(rows)).toEqual(['Cy Night #1', 'Bob Dev #2', 'Ada Lead #3', 'Dee Ops']);

  // The keyboard: Space picks Ada's handle up, ↑ carries her one place, Space puts her down.
  await row('Ada Lead').getByRole('button', { name: 'Drag to another turn' }).focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Space');
  await expect.poll(() => shownTurns(rows)).toEqual(['Cy Night #1', 'Ada Lead #2', 'Bob Dev #3', 'Dee Ops']);

  await form.getByRole('button', { name: 'Save rota' }).click();
  await expect(page.getByText('Rota AMS weekly saved')).toBeVisible(SERVER);
  const saved = await team.admin.send<Rota>('GET', `/api/boards/${board.id}/oncall/rotas/${rota.id}`);
  expect(saved.members).toEqual([cy.id, ada.id, bob.id]);
  await expect(dialog.getByTestId('rota').filter({ hasText: 'AMS weekly' })).toContainText(
    'Cy Night → Ada Lead → Bob Dev',
    SERVER,
  );
});

test("a follow-the-sun region's people are dragged into their turns the same way", async ({
  team,
  openBoardAs,
}) => {
  const { people, board } = await oncallCrew(team, 'Sun drag', ['Ada Lead', 'Bob Dev', 'Cy Night']);
  const [ada, bob, cy] = people as [Person, Person, Person];
  const rota = await team.admin.send<Rota>('POST', `/api/boards/${board.id}/oncall/rotas`, {
    name: 'Round the world',
    duty: 'ams',
    members: [ada.id, bob.id, cy.id],
    pattern: {
      kind: 'follow_the_sun',
      shifts: [
        { name: 'Sydney', zone: 'Australia/Sydney', start: '09:00', end: '16:00', members: [ada.id] },
        { name: 'London', zone: 'Europe/London', start: '07:00', end: '13:00', members: [bob.id, cy.id] },
      ],
    },
    startDate: '2026-01-05',
  });
  const page = await openBoardAs(ada, board);
  const dialog = await openRotaDialog(page);
  await dialog.getByRole('button', { name: 'Edit rota Round the world' }).click();
  const form = dialog.getByRole('form', { name: 'Edit rota Round the world' });
  const london = form.getByTestId('sun-region').nth(1);
  const rows = london.getByTestId('sun-member');
  await expect.poll(() => shownTurns(rows)).toEqual(['Bob Dev #1', 'Cy Night #2', 'Ada Lead']);

  await dragHandleOnto(page, rows.filter({ hasText: 'Cy Night' }), rows.filter({ hasText: 'Bob Dev' }));
  await expect.poll(() => shownTurns(rows)).toEqual(['Cy Night #1', 'Bob Dev #2', 'Ada Lead']);
  // Sydney's list is its own: nothing there moved.
  await expect
    .poll(() => shownTurns(form.getByTestId('sun-region').nth(0).getByTestId('sun-member')))
    .toEqual(['Ada Lead #1', 'Bob Dev', 'Cy Night']);
  await london.screenshot({ path: `${SHOTS}/rota-sun-region-dragged.png` });

  await form.getByRole('button', { name: 'Save rota' }).click();
  await expect(page.getByText('Rota Round the world saved')).toBeVisible(SERVER);
  const saved = await team.admin.send<Rota>('GET', `/api/boards/${board.id}/oncall/rotas/${rota.id}`);
  const shifts = saved.pattern.kind === 'follow_the_sun' ? saved.pattern.shifts : [];
  expect(shifts.map((s) => s.members)).toEqual([[ada.id], [cy.id, bob.id]]);
});
