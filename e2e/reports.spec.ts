/**
 * Reports after some real work: a completed sprint and a running one (velocity, burndown), and
 * maintenance tickets flowing through the Kanban (cumulative flow, cycle and lead times). The charts
 * are drawn and the table lists finished tickets, and it follows new work without a reload.
 */
import type { Card, Snapshot, Sprint } from '../protocol/model.ts';
import { expect, showView, test } from './fixtures.ts';

const day = (offset: number) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

test('the reports draw velocity, burndown and cumulative flow, and list cycle and lead times', async ({
  team,
  openBoardAs,
}, testInfo) => {
  const rita = await team.person('Rita Reader');
  const board = await team.board('Insurance portal', [rita]);
  await team.role(board, rita, 'viewer');
  const api = team.admin;
  const base = `/api/boards/${board.id}`;
  const { columns } = await api.send<Snapshot>('GET', base);
  const column = (stream: string, name: string) =>
    columns.find((c) => c.stream === stream && c.name === name)!;
  const move = (card: Card, body: Record<string, unknown>) =>
    api.send('POST', `${base}/cards/${card.id}/move`, body);
  const sprint = async (name: string, cards: Card[]) => {
    const s = await api.send<Sprint>('POST', `${base}/sprints`, { name, capacity: 20 });
    for (const c of cards) await move(c, { sprintId: s.id });
    return s;
  };

  // Sprint 1 ran last week: two of four stories done, the rest carried over to the backlog.
  const stories = [
    ...(await team.cards(board, ['Quote form', 'Policy PDF'], { estimate: 5 })),
    ...(await team.cards(board, ['Claims upload', 'Renewal mail'], { estimate: 3 })),
  ];
  const first = await sprint('Sprint 1', stories);
  await api.send('POST', `${base}/sprints/${first.id}/start`, {
    goal: 'Quotes online',
    startDate: day(-10),
    endDate: day(-1),
  });
  await move(stories[0]!, { columnId: column('development', 'Done').id });
  await move(stories[2]!, { columnId: column('development', 'Done').id });
  await api.send('POST', `${base}/sprints/${first.id}/complete`, { carryOver: 'backlog' });

  // Sprint 2 is running: the carried-over stories plus one more, one of them done today.
  const extra = await team.cards(board, ['Broker login'], { estimate: 2 });
  const second = await sprint('Sprint 2', [stories[1]!, stories[3]!, ...extra]);
  await api.send('POST', `${base}/sprints/${second.id}/start`, {
    goal: 'Self-service',
    startDate: day(-3),
    endDate: day(10),
  });
  await move(stories[3]!, { columnId: column('development', 'Done').id });

  // Maintenance tickets flow through the Kanban: one finished, one in progress.
  const tickets = await team.cards(board, ['Broken link', 'Timeout on save', 'Wrong premium'], {
    type: 'incident',
    stream: 'maintenance',
  });
  for (const name of ['Ready', 'In progress', 'Verify', 'Done'])
    await move(tickets[0]!, { columnId: column('maintenance', name).id });
  await move(tickets[1]!, { columnId: column('maintenance', 'In progress').id });

  const page = await openBoardAs(rita, board);
  await showView(page, 'Reports');

  for (const chart of ['velocity-chart', 'burndown-chart', 'flow-chart']) {
    const canvas = page.getByTestId(chart);
    await expect(canvas).toBeVisible();
    const box = await canvas.boundingBox();
    expect(box?.width, `${chart} width`).toBeGreaterThan(100);
    expect(box?.height, `${chart} height`).toBeGreaterThan(100);
  }
  await expect(page.getByTestId('reports')).toContainText('Sprint 2 (active)');
  await expect(page.getByTestId('flow-row')).toHaveCount(1);
  await expect(page.getByTestId('flow-row').first()).toHaveAttribute('data-key', tickets[0]!.key);
  await page.screenshot({ path: testInfo.outputPath('reports.png'), fullPage: true });

  // The reports follow the board: a second ticket finished elsewhere joins the table.
  await move(tickets[1]!, { columnId: column('maintenance', 'Done').id });
  await expect(page.getByTestId('flow-row')).toHaveCount(2);
});
