/**
 * The maintenance Kanban, live in two browsers: a move into a full, hard-limited column is refused by
 * the server, snaps back with the server's message on the mover's screen and never shows on the
 * other; a move into a column with room shows on both; pulling takes the top of the backlog.
 */
import type { Card, Column } from '../protocol/model.ts';
import { boardCard, dragOnto, expect, kanbanCell, keysIn, showView, test } from './fixtures.ts';

test('a move into a full column is refused and snaps back everywhere; a move with room shows on both screens', async ({
  team,
  openBoardAs,
}) => {
  test.slow(); // two browsers on two shared cores
  const ann = await team.person('Ann Ops');
  const max = await team.person('Max Ops');
  const board = await team.board('Support desk', [ann, max]);
  await team.role(board, ann, 'maintenance');
  await team.role(board, max, 'maintenance');
  const doing = await team.column(board, 'maintenance', 'In progress');
  const ready = await team.column(board, 'maintenance', 'Ready');
  await team.admin.send<Column>('PATCH', `/api/boards/${board.id}/columns/${doing.id}`, {
    version: doing.version,
    wipLimit: 2,
    wipPolicy: 'hard',
    entryPolicy: 'Someone has picked it up',
    exitPolicy: 'Fix deployed to staging',
  });
  const tickets = await team.cards(
    board,
    ['Login fails', 'Invoice PDF blank', 'Slow search', 'Typo in footer'],
    {
      type: 'incident',
      stream: 'maintenance',
    },
  );
  const [login, invoice, search, typo] = tickets.map((c) => c.key) as [string, string, string, string];
  const moveTo = (card: Card, column: Column) =>
    team.admin.send('POST', `/api/boards/${board.id}/cards/${card.id}/move`, { columnId: column.id });
  await moveTo(tickets[0]!, doing);
  await moveTo(tickets[1]!, doing);
  await moveTo(tickets[2]!, ready);

  const a = await openBoardAs(ann, board);
  const b = await openBoardAs(max, board);
  await showView(a, 'Kanban');
  await showView(b, 'Kanban');

  // The column shows its limit, full, and its policies.
  const header = a.locator('[data-testid="kanban-column"][data-column-name="In progress"]');
  await expect(header.getByTestId('wip')).toHaveText('2 / 2');
  await expect(header.getByTestId('wip')).toHaveAttribute('data-level', 'at');
  await expect(header.getByTestId('column-policies')).toContainText('Someone has picked it up');
  await expect(header.getByTestId('column-policies')).toContainText('Fix deployed to staging');
  await expect.poll(() => keysIn(kanbanCell(b, 'In progress'))).toEqual([login, invoice]);

  // From here on, Max's screen records whether the search ticket ever appears in In progress.
  await b.evaluate((key) => {
    const w = window as unknown as { shownInDoing: boolean };
    w.shownInDoing = false;
    const check = () => {
      if (
        document.querySelector(
          `[data-testid="kanban-cell"][data-column-name="In progress"] [data-key="${key}"]`,
        )
      )
        w.shownInDoing = true;
    };
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
  }, search);

  // Ann drags one more ticket into the full column: the column warns while she holds it over it…
  const doingA = kanbanCell(a, 'In progress');
  await dragOnto(
    a,
    boardCard(a, search),
    doingA,
    header.getByTestId('column-refusal').filter({ hasText: 'In progress is full: WIP limit 2' }),
  );
  // …and the server refuses it: the card snaps back to Ready and she is told why.
  await expect(a.getByTestId('toast').filter({ hasText: `${search} was not moved` })).toContainText(
    'column "In progress" is at its WIP limit of 2',
  );
  await expect.poll(() => keysIn(kanbanCell(a, 'Ready'))).toEqual([search]);
  await expect.poll(() => keysIn(doingA)).toEqual([login, invoice]);
  await expect(header.getByTestId('wip')).toHaveText('2 / 2');

  // A move with room (Verify is empty) goes through and appears on Max's screen.
  const verifyA = kanbanCell(a, 'Verify');
  await dragOnto(a, boardCard(a, invoice), verifyA, verifyA.locator(`[data-key="${invoice}"]`));
  await expect.poll(() => keysIn(kanbanCell(b, 'Verify'))).toEqual([invoice]);
  // The card she dropped keeps the focus, so her next key acts on it.
  await expect(boardCard(a, invoice)).toBeFocused();
  await expect.poll(() => keysIn(kanbanCell(b, 'In progress'))).toEqual([login]);
  await expect(
    b.locator('[data-testid="kanban-column"][data-column-name="In progress"]').getByTestId('wip'),
  ).toHaveText('1 / 2');
  // Max never saw the refused ticket in In progress; it sat in Ready all along.
  expect(await b.evaluate(() => (window as unknown as { shownInDoing: boolean }).shownInDoing)).toBe(false);
  await expect.poll(() => keysIn(kanbanCell(b, 'Ready'))).toEqual([search]);

  // Now there is room: Max pulls the next ticket from the backlog into In progress; it is his.
  await b.getByRole('button', { name: 'Pull next into In progress' }).click();
  await expect.poll(() => keysIn(kanbanCell(a, 'In progress'))).toEqual([login, typo]);
  const pulled = (await team.admin.send<Card[]>('GET', `/api/boards/${board.id}/cards`)).find(
    (c) => c.key === typo,
  );
  expect(pulled?.assigneeId).toBe(max.id);
  await expect(boardCard(a, typo).getByTestId('card-age')).toHaveText('0d');
});
