/**
 * A review checks the warranty against what hyper-care measured (issue 17): the product owner opens a
 * held review of a live release, sees each warranty requirement met / not met / not measured on what
 * was measured, and raises an improvement item from the one not met, prefilled with the measurement as
 * baseline and the requirement as target, linked to the release. History is arranged through the API.
 */
import type { Page } from '@playwright/test';
import type { Release } from '../protocol/releases.ts';
import type { Warranty } from '../protocol/warranty.ts';
import { Api, expect, showView, test } from './fixtures.ts';

test.describe.configure({ timeout: 90_000 });
const panel = (page: Page) => page.getByTestId('improvement');

test('review: the warranty verdicts of a reviewed release, and an item raised from a requirement not met', async ({
  team,
  openBoardAs,
}) => {
  const pat = await team.person('Pat Owner');
  const max = await team.person('Max Service');
  const board = await team.board('Reviewed warranty', [pat, max]);
  await team.role(board, pat, 'product_owner');
  await team.role(board, max, 'maintenance');
  const releases = `/api/boards/${board.id}/releases`;
  const release = await team.admin.send<Release>('POST', releases, {
    version: '5.0.0',
    stream: 'development',
  });
  const rel = `${releases}/${release.id}`;
  const add = (body: object) => team.admin.send<Warranty>('POST', `${rel}/warranty/requirements`, body);
  await add({
    category: 'availability',
    statement: 'Payments stay up',
    comparison: 'gte',
    value: 99.9,
    unit: '%',
  });
  await add({
    category: 'performance',
    statement: 'p95 checkout latency',
    comparison: 'lte',
    value: 300,
    unit: 'ms',
  });
  const all = await add({
    category: 'capacity',
    statement: '500 concurrent users',
    comparison: 'gte',
    value: 500,
    unit: 'users',
  });
  for (const environment of release.environments.filter((e) => e !== 'live'))
    await team.admin.send('POST', `${rel}/runs`, {
      environment,
      runId: `deploy-${environment}`,
      kind: 'deployment',
      outcome: 'success',
    });
  for (const item of release.readiness)
    await team.admin.send('POST', `${rel}/readiness`, { key: item.key, done: true });
  const owner = await Api.signIn(pat.email, pat.password);
  const lead = await Api.signIn(max.email, max.password);
  await owner.send('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'demoed' });
  const live = await lead.send<Release>('POST', `${rel}/verdicts`, { verdict: 'go', reason: 'runbook read' });
  expect(live.state).toBe('live');
  await owner.dispose();
  await lead.dispose();
  const id = (s: string) => all.requirements.find((r) => r.statement === s)!.id;
  await team.admin.send('POST', `${rel}/warranty/requirements/${id('Payments stay up')}/measurements`, {
    value: 99.5,
  });
  await team.admin.send('POST', `${rel}/warranty/requirements/${id('p95 checkout latency')}/measurements`, {
    value: 240,
  });
  await team.admin.send('POST', `/api/boards/${board.id}/improvement/reviews`, {
    title: 'Release 5 review',
    heldAt: new Date().toISOString(),
    releaseIds: [release.id],
  });

  const page = await openBoardAs(pat, board);
  await showView(page, 'Reports');
  const review = panel(page).getByTestId('review-row').filter({ hasText: 'Release 5 review' });
  await review.getByTestId('check-warranty').click();
  const verdict = (s: string) => review.getByTestId('warranty-verdict').filter({ hasText: s });
  await expect(verdict('Payments stay up')).toHaveAttribute('data-status', 'not_met');
  await expect(verdict('Payments stay up')).toContainText('99.5 %');
  await expect(verdict('p95 checkout latency')).toHaveAttribute('data-status', 'met');
  await expect(verdict('500 concurrent users')).toHaveAttribute('data-status', 'not_measured');
  // only a requirement not met offers an item
  await expect(review.getByTestId('raise-from-warranty')).toHaveCount(1);

  await verdict('Payments stay up').getByTestId('raise-from-warranty').click();
  const form = review.getByTestId('item-form');
  await expect(form.locator('input[name="itemTitle"]')).toHaveValue(
    'Warranty not met in 5.0.0: Payments stay up',
  );
  await expect(form.locator('input[name="baselineValue"]')).toHaveValue('99.5');
  await expect(form.locator('input[name="targetValue"]')).toHaveValue('99.9');
  await expect(form.locator('input[name="unit"]')).toHaveValue('%');
  await expect(form.locator('select[name="releaseIds"]')).toHaveValues([release.id]);
  await page.mouse.move(0, 0);
  if (process.env.SCREENSHOT_DOCS) await review.screenshot({ path: 'docs/review-warranty.png' });
  await form.getByRole('button', { name: 'Raise item' }).click();

  const row = panel(page).getByTestId('item-row').filter({ hasText: 'Warranty not met in 5.0.0' });
  await expect(row).toBeVisible();
  await expect(row).toContainText('99.5');
  await expect(row).toContainText('99.9');

  // how often the procedure is reviewed, as a trend in the release outcomes report: this quarter, one
  const now = new Date();
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
  const held = page.getByTestId('reviews-held');
  await expect(held.locator(`[data-quarter="${quarter}"]`)).toHaveAttribute('data-held', '1');
});
