/**
 * A small, lived-in board for the layout, theme and accessibility stories (and the README's
 * screenshots): development stories in a running sprint, maintenance incidents on the Kanban, a
 * planned sprint, labels, estimates and an assignee, all arranged through the public API.
 */
import type { Board, Card, Sprint } from '../protocol/model.ts';
import type { Release } from '../protocol/releases.ts';
import type { Person, Team } from './fixtures.ts';

export interface Showcase {
  board: Board;
  dev: Person;
  stories: Card[];
  incidents: Card[];
  sprint: Sprint;
  release: Release;
}

export async function showcase(team: Team, name = 'Checkout'): Promise<Showcase> {
  const dev = await team.person('Dana Dev');
  const board = await team.board(name, [dev]);
  await team.role(board, dev, 'admin');
  const base = `/api/boards/${board.id}`;
  const stories = await team.cards(
    board,
    ['Pay by card in one step', 'Show delivery dates at checkout', 'Remember the last address', 'Gift cards'],
    { estimate: 3, labels: ['checkout'], assigneeId: dev.id },
  );
  stories.push(
    ...(await team.cards(board, ['Basket total is wrong with two coupons'], {
      type: 'defect_manual',
      priority: 'high',
      estimate: 2,
    })),
    ...(await team.cards(board, ['Faster product search', 'Export orders as CSV'], {
      type: 'enhancement',
      estimate: 5,
      labels: ['search'],
    })),
  );
  const incidents = await team.cards(board, ['Login fails for SSO users', 'Invoice PDF is blank'], {
    type: 'incident',
    stream: 'maintenance',
    priority: 'critical',
  });
  incidents.push(
    ...(await team.cards(board, ['Nightly export is slow'], { type: 'problem', stream: 'maintenance' })),
  );
  const sprint = await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 12' });
  for (const card of stories.slice(0, 3)) {
    await team.admin.send('POST', `${base}/cards/${card.id}/move`, { sprintId: sprint.id });
  }
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await team.admin.send('POST', `${base}/sprints/${sprint.id}/start`, {
    goal: 'One-step checkout',
    startDate: day(-3),
    endDate: day(11),
  });
  await team.admin.send<Sprint>('POST', `${base}/sprints`, { name: 'Sprint 13' });
  const doing = await team.column(board, 'development', 'In progress');
  await team.admin.send('POST', `${base}/cards/${stories[0]!.id}/move`, { columnId: doing.id });
  const ready = await team.column(board, 'maintenance', 'Ready');
  await team.admin.send('POST', `${base}/cards/${incidents[0]!.id}/move`, { columnId: ready.id });
  const release = await team.admin.send<Release>('POST', `${base}/releases`, {
    version: '2.4.0',
    stream: 'development',
    targetDate: day(20),
  });
  await team.admin.send('POST', `${base}/releases/${release.id}/scope`, {
    add: stories.slice(0, 2).map((c) => c.id),
  });
  return { board, dev, stories, incidents, sprint, release };
}
