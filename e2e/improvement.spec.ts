/**
 * Review and improve, in two browsers: the AMS lead records a review of the release procedure,
 * raises an improvement item from it, and takes it to done with a result; the product owner's screen
 * follows each step live (and never shows the item twice). The history (an earlier review and a
 * release) is arranged through the public API; the story is on the page.
 */
import type { Page } from '@playwright/test';
import type { Card } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import { expect, showView, test } from './fixtures.ts';

const panel = (page: Page) => page.getByTestId('improvement');
const itemRow = (page: Page, title: string) => panel(page).getByTestId('item-row').filter({ hasText: title });

/** Counts, on this page, the most rows the item with this title ever had at once (a duplicate would be 2). */
async function watchForDuplicates(page: Page, title: string) {
  await page.evaluate((t) => {
    const w = window as unknown as { __most: number };
    w.__most = 0;
    const count = () => {
      const rows = [...document.querySelectorAll('[data-testid="item-row"]')].filter((r) =>
        r.textContent?.includes(t),
      );
      w.__most = Math.max(w.__most, rows.length);
    };
    new MutationObserver(count).observe(document.body, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }, title);
  return () => page.evaluate(() => (window as unknown as { __most: number }).__most);
}

test('review and improve: record a review, raise an item from it, seen live on another screen, closed with a result', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const pat = await team.person('Pat Owner');
  const dee = await team.person('Dee Veloper');
  const max = await team.person('Max Service');
  const board = await team.board('Release procedure', [pat, dee, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const base = `/api/boards/${board.id}/improvement`;
  const release = await team.admin.send<Release>('POST', `/api/boards/${board.id}/releases`, {
    version: '3.0.0',
    stream: 'development',
  });
  const incident = await team.admin.send<Card>('POST', `/api/boards/${board.id}/cards`, {
    title: 'Rollback of 3.0.0 took 40 minutes',
    type: 'incident',
    stream: 'maintenance',
  });
  // A review held months ago, on a four-week cadence: the next one is overdue.
  await team.admin.send('PUT', `${base}/settings`, { cadenceWeeks: 4 });
  await team.admin.send('POST', `${base}/reviews`, {
    title: 'Q3 release review',
    heldAt: '2026-09-15T09:00:00.000Z',
    minutes: 'Go/no-go meeting too long.',
  });

  const lead = await openBoardAs(max, board);
  const owner = await openBoardAs(pat, board);
  for (const page of [lead, owner]) {
    await showView(page, 'Reports');
    await expect(panel(page).getByTestId('next-review')).toHaveClass(/overdue/);
    await expect(panel(page).getByTestId('next-review')).toContainText('overdue by');
  }
  const most = await watchForDuplicates(owner, 'Script the rollback');
  const inFourWeeks = new Date(Date.now() + 28 * 86_400_000).toISOString().slice(0, 10);

  // The AMS lead records today's review: attendees, the release reviewed, the minutes.
  await panel(lead).getByTestId('record-new-review').click();
  const form = panel(lead).getByTestId('review-form');
  await form.getByLabel('Title').fill('December release review');
  await form.getByRole('checkbox', { name: dee.name }).check();
  await form.getByRole('checkbox', { name: max.name }).check();
  await form.getByRole('checkbox', { name: '3.0.0' }).check();
  await form.getByLabel('Minutes (Markdown)').fill('## Findings\n- rollback is manual and slow');
  await form.getByRole('button', { name: 'Record review' }).click();

  // Both screens show it held, and the next review is no longer overdue.
  for (const page of [lead, owner]) {
    const row = panel(page).getByTestId('review-row').filter({ hasText: 'December release review' });
    await expect(row).toContainText('Held');
    await expect(row).toContainText('3.0.0');
    await expect(row).toContainText('rollback is manual and slow');
    await expect(panel(page).getByTestId('next-review')).not.toHaveClass(/overdue/);
    await expect(panel(page).getByTestId('next-review')).toHaveAttribute('data-due', inFourWeeks);
    await expect(panel(page).getByTestId('days-since-review')).toHaveText('0');
  }

  // It raises an item from the review: baseline, target, owner, due quarter, the incident behind it.
  await panel(lead)
    .getByTestId('review-row')
    .filter({ hasText: 'December release review' })
    .getByTestId('raise-from-review')
    .click();
  const item = panel(lead).getByTestId('item-form');
  await item.getByLabel('What to improve').fill('Script the rollback');
  await item.getByLabel('Baseline').fill('Rollback by hand');
  await item.locator('input[name="baselineValue"]').fill('40');
  await item.getByLabel('Target').fill('Scripted rollback');
  await item.locator('input[name="targetValue"]').fill('5');
  await item.getByLabel('Unit').fill('min');
  await item.getByLabel('Owner').selectOption({ label: dee.name });
  await item.getByLabel('Due quarter').selectOption({ index: 2 });
  await item.getByLabel('Releases that motivated it').selectOption([{ label: '3.0.0' }]);
  await item
    .getByLabel('Problems and incidents')
    .selectOption([{ label: `${incident.key} ${incident.title}` }]);
  await item.getByRole('button', { name: 'Raise item' }).click();

  // The product owner's screen shows it appear, with its links, without reloading.
  const seen = itemRow(owner, 'Script the rollback');
  await expect(seen).toHaveAttribute('data-status', 'proposed');
  await expect(seen).toContainText('Dee Veloper');
  await expect(seen).toContainText('40 min (Rollback by hand) → 5 min (Scripted rollback)');
  await expect(seen).toContainText('3.0.0');
  await expect(seen).toContainText(incident.key);
  await expect(seen).toContainText('from December release review');

  // The lead plans it, starts it, and closes it with its result.
  await itemRow(lead, 'Script the rollback').click();
  const actions = panel(lead).getByTestId('item-status-actions');
  await actions.getByRole('button', { name: 'Plan' }).click();
  await expect(itemRow(lead, 'Script the rollback')).toHaveAttribute('data-status', 'planned');
  await actions.getByRole('button', { name: 'Start' }).click();
  await expect(itemRow(lead, 'Script the rollback')).toHaveAttribute('data-status', 'in_progress');
  await actions.getByRole('button', { name: 'Close as done' }).click();
  await actions.getByRole('textbox', { name: 'Result' }).fill('Rollback script in the pipeline');
  await actions.getByLabel(/Measured/).fill('4');
  await actions.getByRole('button', { name: 'Close item' }).click();

  await expect(seen).toHaveAttribute('data-status', 'done');
  await expect(seen).toContainText('Rollback script in the pipeline (4 min)');
  await expect(seen).toContainText('target met');
  expect(await most()).toBe(1);

  // The register's filters: done items leave the open ones.
  await panel(owner).getByTestId('status-filter').selectOption('open');
  await expect(seen).toHaveCount(0);
  await panel(owner).getByTestId('status-filter').selectOption('done');
  await expect(seen).toHaveCount(1);

  // A link opens the incident that motivated it.
  await seen.getByRole('button', { name: incident.key }).click();
  await expect(owner.getByTestId('card-panel')).toHaveAttribute('data-card-id', incident.id);

  if (process.env.SCREENSHOT_DOCS) {
    // a fuller register for the README: an open item and the next review on the schedule
    await team.admin.send('POST', `${base}/items`, {
      title: 'Shorter go/no-go meeting',
      ownerId: pat.id,
      baselineText: 'an hour, every release',
      targetValue: 20,
      unit: 'min',
      dueQuarter: '2027-Q1',
      cardIds: [],
    });
    const next = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await team.admin.send('POST', `${base}/reviews`, {
      title: 'Mid-December release review',
      scheduledOn: next,
    });
    await expect(itemRow(lead, 'Shorter go/no-go meeting')).toBeVisible();
    // the scheduled review, earlier than the cadence asks, is the next one due
    await expect(panel(lead).getByTestId('next-review')).toHaveAttribute('data-due', next);
    await itemRow(lead, 'Script the rollback').click(); // fold the detail row away
    await lead.mouse.move(0, 0);
    await panel(lead).screenshot({ path: 'docs/improvement.png' });
  }
  // the release link goes to the release page
  await panel(lead).getByRole('link', { name: '3.0.0' }).first().click();
  await expect(lead.getByTestId('release-version')).toHaveText(release.version);
});
