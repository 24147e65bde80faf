/**
 * Problems and known errors, in two browsers: Ann links an incident to its problem from the card
 * panel and Max sees the link appear live; Max opens the problem from the link, marks it a known
 * error with a workaround, and Ann's incident shows the workaround without a reload. The known-error
 * search finds it.
 */
import type { Card } from '../protocol/model.ts';
import { cardRow, expect, test } from './fixtures.ts';

test('an incident linked to a problem shows its workaround once the problem is a known error, live on both screens', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const ann = await team.person('Ann Ops');
  const max = await team.person('Max Ops');
  const board = await team.board('Service desk', [ann, max]);
  await team.role(board, ann, 'maintenance');
  await team.role(board, max, 'maintenance');
  const [incident] = await team.cards(board, ['Checkout times out'], {
    type: 'incident',
    priority: 'critical',
  });
  const [problem] = await team.cards(board, ['Connection pool exhausted'], {
    type: 'problem',
    priority: 'medium',
  });
  const a = await openBoardAs(ann, board);
  const b = await openBoardAs(max, board);

  await cardRow(a, incident!.key).click();
  await cardRow(b, incident!.key).click();
  const annPanel = a.getByTestId('card-panel');
  const maxPanel = b.getByTestId('card-panel');
  await expect(annPanel.getByTestId('card-links')).toContainText('No linked cards.');
  await expect(maxPanel.getByTestId('card-links')).toContainText('No linked cards.');
  // Until the problem is a known error, Ann's incident shows no workaround.
  await expect(annPanel.getByTestId('workaround')).toHaveCount(0);

  // Ann finds the problem by typing part of its title and links it as the incident's problem.
  await expect(annPanel.getByTestId('link-kind')).toHaveValue('has_problem');
  await annPanel.getByTestId('link-search').fill('pool exh');
  await expect(annPanel.getByTestId('link-candidate')).toHaveCount(1);
  await annPanel.getByTestId('link-candidate').click();
  const annLink = annPanel.getByTestId('card-link');
  await expect(annLink).toHaveCount(1);
  await expect(annLink).toContainText('has problem');
  await expect(annLink).toContainText(problem!.key);
  await expect(annLink).toContainText('Backlog');

  // Max sees it appear without a reload.
  const maxLink = maxPanel.getByTestId('card-link');
  await expect(maxLink).toHaveCount(1);
  await expect(maxLink).toContainText(problem!.key);
  // The problem took the incident's priority.
  const raised = await team.admin.send<Card>('GET', `/api/boards/${board.id}/cards/${problem!.id}`);
  expect(raised.priority).toBe('critical');

  // Max opens the problem from the link and records it as a known error with a workaround.
  await maxLink.getByTitle(`Open ${problem!.key}`).click();
  await expect(b.getByTestId('panel-key')).toHaveText(problem!.key);
  const record = b.getByTestId('problem-record');
  await expect(b.getByTestId('card-link')).toContainText('problem for');
  await record
    .getByLabel('Root cause')
    .fill('The pool is sized for 10 connections; the report job leaks them.');
  await record.getByLabel('Workaround').fill('Restart the checkout pods, then drain the payment queue.');
  await record.getByLabel('Known-error status').selectOption('known_error');
  await record.getByRole('button', { name: 'Save record' }).click();
  await expect(record.getByRole('button', { name: 'Save record' })).toBeDisabled();

  // Ann's incident shows the workaround, live.
  const workaround = annPanel.getByTestId('workaround');
  await expect(workaround).toHaveCount(1);
  await expect(workaround.getByTestId('workaround-text')).toHaveText(
    'Restart the checkout pods, then drain the payment queue.',
  );
  await expect(workaround).toContainText(problem!.key);
  await a.setViewportSize({ width: 1440, height: 1100 });
  await annPanel.screenshot({ path: 'test-results/known-errors-card-panel.png' });

  // Ann declares it a major incident, records the runbook change the review caused, and generates the report.
  const major = annPanel.getByTestId('major-incident');
  await major.getByTestId('major-toggle').check();
  await expect(major.getByLabel('Impact')).toBeVisible();
  await major.getByLabel('Impact').fill('No card payments for 40 minutes');
  await major.getByLabel(/Runbook change/).fill('https://git.example.com/runbooks/pull/42');
  await major.getByRole('button', { name: 'Save review' }).click();
  await expect(major.getByRole('link', { name: 'https://git.example.com/runbooks/pull/42' })).toBeVisible();
  await major.getByRole('button', { name: 'Generate report' }).click();
  const report = major.getByTestId('major-report');
  await expect(report).toContainText(`# Major incident report: ${incident!.key}`);
  await expect(report).toContainText('No card payments for 40 minutes');
  await expect(report).toContainText('Restart the checkout pods');
  await expect(report).toContainText('Runbook change: <https://git.example.com/runbooks/pull/42>');
  await major.scrollIntoViewIfNeeded();
  await annPanel.screenshot({ path: 'test-results/known-errors-major-incident.png' });

  // The known-error database finds it as Ann types.
  await a.getByTestId('known-errors-open').click();
  await a.getByTestId('known-errors-search').fill('drain pay');
  await expect(a.getByTestId('known-error')).toHaveCount(1);
  await expect(a.getByTestId('known-error')).toContainText(problem!.key);
  await a.getByTestId('known-errors-search').fill('nothing like this');
  await expect(a.getByTestId('known-error')).toHaveCount(0);
});
