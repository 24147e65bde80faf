/**
 * A product owner shapes the columns of both streams from the screen while a developer watches: a
 * new QA column on the sprint board and a renamed Kanban column show on both screens at once; a
 * column that still holds a card cannot be removed (the server says why); an empty one can.
 */
import type { Card, Snapshot, Sprint } from '../protocol/model.ts';
import { expect, kanbanCell, showView, sprintColumn, test } from './fixtures.ts';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('a product owner adds, renames and removes columns of both streams, live on a second screen', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const paula = await team.person('Paula Owner');
  const dev = await team.person('Dev Watcher');
  const board = await team.board('Column shop', [paula, dev]);
  await team.role(board, paula, 'product_owner');
  const base = `/api/boards/${board.id}`;
  const api = team.admin;

  // A sprint is running, and one maintenance ticket is in progress on the Kanban.
  const [story] = await team.cards(board, ['Checkout page'], { estimate: 3 });
  const sprint = await api.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 1' });
  await api.send('POST', `${base}/cards/${story!.id}/move`, { sprintId: sprint.id });
  await api.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'Pay',
    startDate: day(0),
    endDate: day(10),
  });
  const [ticket] = await team.cards(board, ['Broken login'], { type: 'incident', stream: 'maintenance' });
  const doing = await team.column(board, 'maintenance', 'In progress');
  await api.send<Card>('POST', `${base}/cards/${ticket!.id}/move`, { columnId: doing.id });

  const a = await openBoardAs(paula, board);
  const b = await openBoardAs(dev, board);
  await showView(a, 'Sprint board');
  await showView(b, 'Sprint board');
  // Only admins and product owners configure columns.
  await expect(b.getByTestId('add-column')).toHaveCount(0);
  await expect(b.getByRole('button', { name: 'Settings of To do' })).toHaveCount(0);

  // Paula adds a QA column at the end of the sprint board; Dev sees it appear.
  await a.getByTestId('add-column').click();
  const form = a.getByTestId('column-settings');
  await form.getByLabel('Name').fill('QA');
  await form.getByLabel('Category').selectOption('in_progress');
  await form.getByRole('button', { name: 'Add column' }).click();
  await expect(form).toBeHidden();
  for (const page of [a, b]) {
    await expect(sprintColumn(page, 'QA')).toBeVisible();
    await expect(page.getByTestId('board-column').last()).toHaveAttribute('data-column-name', 'QA');
  }

  // On the Kanban she renames Ready to Triage; Dev's Kanban follows.
  await showView(a, 'Kanban');
  await showView(b, 'Kanban');
  await a.getByRole('button', { name: 'Settings of Ready' }).click();
  await form.getByLabel('Name').fill('Triage');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(kanbanCell(b, 'Triage')).toBeVisible();
  await expect(kanbanCell(b, 'Ready')).toHaveCount(0);

  // In progress still holds the ticket: the server refuses, and the dialog says why.
  await a.getByRole('button', { name: 'Settings of In progress' }).click();
  await form.getByRole('button', { name: 'Remove column' }).click();
  await expect(form.getByRole('alert')).toHaveText('column "In progress" still holds cards: move them first');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(kanbanCell(a, 'In progress')).toBeVisible();

  // The empty QA column goes, on both screens.
  await showView(a, 'Sprint board');
  await showView(b, 'Sprint board');
  await a.getByRole('button', { name: 'Settings of QA' }).click();
  await form.getByRole('button', { name: 'Remove column' }).click();
  await expect(form).toBeHidden();
  await expect(sprintColumn(a, 'QA')).toHaveCount(0);
  await expect(sprintColumn(b, 'QA')).toHaveCount(0);
  await expect(sprintColumn(b, 'To do')).toBeVisible();
  const snapshot = await api.send<Snapshot>('GET', base);
  expect(snapshot.columns.map((c) => c.name)).not.toContain('QA');
});
