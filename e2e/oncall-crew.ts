/**
 * The on-call stories' shared cast: a board whose first person manages on-call (an AMS engineer)
 * and the others are developers, a weekly rota arranged through the API, the board's rotas as the
 * server has them, and the rota dialog opened as a user does.
 */
import type { Page } from '@playwright/test';
import type { Board } from '../protocol/model.ts';
import type { Rota, RotaInput } from '../protocol/oncall.ts';
import { expect, type Person, type Team } from './fixtures.ts';

/** Waits on the server (rota checks, reloads) get more time than a click on two shared cores. */
export const SERVER = { timeout: 30_000 };
export const SHOTS = 'test-results/shots/oncallui';

/** A new board with these people on it; the first may manage on-call (maintenance role). */
export async function oncallCrew(team: Team, title: string, names: string[]) {
  const people: Person[] = [];
  for (const name of names) people.push(await team.person(name));
  const board = await team.board(`${title} ${Date.now()}`, people);
  await team.role(board, people[0]!, 'maintenance');
  return { people, board };
}

/** The Monday `weeksBack` weeks before this one (UTC), as a rota's start date. */
export function mondayWeeksBack(weeksBack: number, now = new Date()): string {
  const monday = new Date(now);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7) - 7 * weeksBack);
  return monday.toISOString().slice(0, 10);
}

/** "AMS weekly": hand-off Mondays 09:00 London time, the members in this order. */
export const weeklyRota = (team: Team, board: Board, members: Person[], extra: Partial<RotaInput> = {}) =>
  team.admin.send<Rota>('POST', `/api/boards/${board.id}/oncall/rotas`, {
    name: 'AMS weekly',
    duty: 'ams',
    members: members.map((m) => m.id),
    pattern: { kind: 'weekly', zone: 'Europe/London', handoffWeekday: 1, handoffTime: '09:00' },
    startDate: mondayWeeksBack(4),
    ...extra,
  } satisfies RotaInput);

export const rotasOf = (team: Team, board: Board) =>
  team.admin.send<Rota[]>('GET', `/api/boards/${board.id}/oncall/rotas`);

/** Opens the header's On call dialog, as a user does. */
export async function openRotaDialog(page: Page) {
  await page.getByRole('button', { name: 'On call' }).click();
  const dialog = page.getByTestId('rota-dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}
