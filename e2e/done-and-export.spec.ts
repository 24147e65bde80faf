/**
 * Done work and exports: after a sprint completes, its finished cards leave the ranked backlog (the
 * status filter shows them, a search finds them, their link opens them, reopening puts them back in
 * their place); the filtered backlog saves as CSV, row for row; a report's chart saves as PNG and
 * its numbers as CSV.
 */
import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import type { Card, Snapshot, Sprint } from '../protocol/model.ts';
import { backlogKeys, expect, showView, test } from './fixtures.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await (download as Download).path();
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

/** A CSV file's text without its byte-order mark, split into lines. */
const csvLines = (bytes: Buffer) =>
  bytes
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split('\r\n');

test('done cards leave the backlog, stay searchable and linkable, and return to their place when reopened', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(180_000); // several API steps before the browser opens, on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Archive', [paula]);
  const api = team.admin;
  const base = `/api/boards/${board.id}`;
  const [shipped, carried, waiting, later] = await team.cards(board, [
    'Shipped feature',
    'Carried feature',
    'Waiting feature',
    'Later feature',
  ]);
  const { columns } = await api.send<Snapshot>('GET', base);
  const done = columns.find((c) => c.stream === 'development' && c.category === 'done')!;
  const sprint = await api.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  for (const c of [shipped!, carried!])
    await api.send('POST', `${base}/cards/${c.id}/move`, { sprintId: sprint.id });
  await api.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'Ship',
    startDate: day(-3),
    endDate: day(4),
  });
  await api.send('POST', `${base}/cards/${shipped!.id}/move`, { columnId: done.id });
  await api.send('POST', `${base}/sprints/${sprint.id}/complete`, { carryOver: 'backlog' });

  const page = await openBoardAs(paula, board);
  // Open work only: the finished card is not at the top of the backlog any more.
  await expect.poll(() => backlogKeys(page)).toEqual([carried!.key, waiting!.key, later!.key]);
  await expect(page.getByTestId('backlog-count')).toHaveText('3 cards');
  await expect(page.getByTestId('done-count')).toHaveText('· 1 done');
  await page.screenshot({ path: 'test-results/shots/doneexport/backlog-open.png' });

  // The status filter shows the archive, and all of it in rank order.
  const status = page.getByTestId('status-filter');
  await status.selectOption('done');
  await expect.poll(() => backlogKeys(page)).toEqual([shipped!.key]);
  await page.screenshot({ path: 'test-results/shots/doneexport/backlog-done.png' });
  await status.selectOption('all');
  await expect.poll(() => backlogKeys(page)).toEqual([carried!.key, shipped!.key, waiting!.key, later!.key]);

  // Searching open work for the done card's key says it is in the archive, one click away.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(status).toHaveValue('open');
  await page.getByLabel('Search the backlog').fill(shipped!.key);
  await expect.poll(() => backlogKeys(page)).toEqual([]);
  await expect(page.getByTestId('done-matches')).toContainText('1 done card matches');
  await page.screenshot({ path: 'test-results/shots/doneexport/backlog-search-done.png' });
  await page.getByRole('button', { name: 'Show done cards' }).click();
  await expect.poll(() => backlogKeys(page)).toEqual([shipped!.key]);

  // A done card's link opens it.
  await page.goto(`/boards/${board.id}?card=${shipped!.key}`);
  await expect(page.getByTestId('panel-key')).toHaveText(shipped!.key);
  await expect(page.getByTestId('card-panel').getByLabel('Title')).toHaveValue('Shipped feature');

  // Reopened (back to the backlog), it is open work again, in the rank it kept.
  await api.send('POST', `${base}/cards/${shipped!.id}/move`, { columnId: null });
  await page.goto(`/boards/${board.id}`);
  await expect
    .poll(() => backlogKeys(page), { timeout: 30_000 })
    .toEqual([carried!.key, shipped!.key, waiting!.key, later!.key]);
  await expect(page.getByTestId('done-count')).toHaveCount(0);
});

test('the filtered backlog saves as CSV, exactly the rows shown in their order, quoted and formula-safe', async ({
  team,
  openBoardAs,
}) => {
  test.setTimeout(180_000); // several API steps before the browser opens, on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Exports', [paula]);
  const api = team.admin;
  const [a, , c] = await team.cards(board, ['Plain story', 'An incident', '=HYPERLINK("http://evil","x")'], {
    estimate: 3,
    labels: ['web'],
  });
  await api.send<Card>('PATCH', `/api/boards/${board.id}/cards/${c!.id}`, {
    version: c!.version,
    title: 'Pay, "then" ship',
  });
  await team.cards(board, ['=SUM(A1)', 'Other story'], { labels: ['api'] });
  const page = await openBoardAs(paula, board);
  await page.getByLabel('Label').selectOption('web');
  await expect.poll(() => backlogKeys(page)).toHaveLength(3);
  const shown = await backlogKeys(page);
  await page.screenshot({ path: 'test-results/shots/doneexport/backlog-export.png' });

  const file = await downloaded(page, () => page.getByTestId('export-csv').click());
  expect(file.name).toMatch(new RegExp(`^${board.key.toLowerCase()}-backlog-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const lines = csvLines(file.bytes);
  expect(lines[0]).toBe('Key,Title,Type,Stream,Status,Column,Sprint,Estimate,Priority,Assignee,Labels');
  expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(shown);
  expect(lines[1]).toBe(`${a!.key},Plain story,Story,Development,Open,Backlog,,3,Medium,,web`);
  expect(lines[3]).toBe(`${c!.key},"Pay, ""then"" ship",Story,Development,Open,Backlog,,3,Medium,,web`);
  expect(lines.at(-1)).toBe('');

  // Another filter, another file: the formula-looking title is text.
  await page.getByLabel('Label').selectOption('api');
  await expect.poll(() => backlogKeys(page)).toHaveLength(2);
  const other = csvLines((await downloaded(page, () => page.getByTestId('export-csv').click())).bytes);
  expect(other[1]).toContain(",'=SUM(A1),");
});

test('each report chart saves as a PNG and its numbers as CSV', async ({ team, openBoardAs }) => {
  test.setTimeout(180_000); // several API steps before the browser opens, on shared cores
  const paula = await team.person('Paula Product');
  const board = await team.board('Charts', [paula]);
  const api = team.admin;
  const base = `/api/boards/${board.id}`;
  const stories = await team.cards(board, ['One', 'Two'], { estimate: 5 });
  const sprint = await api.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  for (const s of stories) await api.send('POST', `${base}/cards/${s.id}/move`, { sprintId: sprint.id });
  await api.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'G',
    startDate: day(-5),
    endDate: day(-1),
  });
  const { columns } = await api.send<Snapshot>('GET', base);
  const done = columns.find((c) => c.stream === 'development' && c.category === 'done')!;
  await api.send('POST', `${base}/cards/${stories[0]!.id}/move`, { columnId: done.id });
  await api.send('POST', `${base}/sprints/${sprint.id}/complete`, { carryOver: 'backlog' });

  const page = await openBoardAs(paula, board);
  await showView(page, 'Reports');
  await expect(page.getByTestId('velocity-chart')).toBeVisible();
  await page.screenshot({ path: 'test-results/shots/doneexport/reports-exports.png' });

  const csv = await downloaded(page, () => page.getByTestId('velocity-chart-csv').click());
  expect(csv.name).toBe('velocity-chart.csv');
  expect(csvLines(csv.bytes)).toEqual(['Sprint,Committed,Completed', 'Sprint 1,10,5', '']);

  const png = await downloaded(page, () => page.getByTestId('velocity-chart-png').click());
  expect(png.name).toBe('velocity-chart.png');
  expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.bytes.length).toBeGreaterThan(2000);
});
