/**
 * Follow the sun across three regions (issue 20): a manager sets up Sydney, London and New York in
 * the rota dialog, each with its own IANA zone, daily hours and person; a mistyped zone and an
 * overlap are refused next to the field they name and create nothing; the board's strip then shows
 * who is on duty now, which the test works out on its own from the zones' local times. On a phone
 * the three regions fit the screen.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, type Person, type Team, test } from './fixtures.ts';
import { oncallCrew, openRotaDialog, rotasOf, SERVER, SHOTS } from './oncall-crew.ts';

test.beforeEach(() => test.setTimeout(180_000));

interface Region {
  name: string;
  zone: string;
  start: number;
  end: number;
}

/** Hours that never overlap in any week of the year, whichever way each zone's clocks change. */
const REGIONS: Region[] = [
  { name: 'Sydney', zone: 'Australia/Sydney', start: 9, end: 16 },
  { name: 'London', zone: 'Europe/London', start: 7, end: 13 },
  { name: 'New York', zone: 'America/New_York', start: 9, end: 17 },
];
const hhmm = (h: number) => `${String(((h % 24) + 24) % 24).padStart(2, '0')}:00`;

/** Minutes past local midnight in a zone, by the browser-independent Intl clock of this process. */
function localMinutes(at: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return get('hour') * 60 + get('minute');
}

const isOn = (r: Region, at: Date) => {
  const t = localMinutes(at, r.zone);
  const [s, e] = [((r.start % 24) + 24) % 24, ((r.end % 24) + 24) % 24].map((h) => h * 60) as [
    number,
    number,
  ];
  return s < e ? s <= t && t < e : t >= s || t < e;
};

/**
 * The regions' hours moved by the same whole hours (which keeps them apart all year), so that one
 * region is on duty from now until well after the test: the answer cannot change under it.
 */
function regionsOnNow(now: Date): { regions: Region[]; onNow: number } {
  const span = [now, new Date(now.getTime() + 20 * 60_000)];
  for (let k = 0; k < 24; k++) {
    const regions = REGIONS.map((r) => ({ ...r, start: r.start + k, end: r.end + k }));
    const onNow = regions.findIndex((r) => span.every((at) => isOn(r, at)));
    if (onNow >= 0) return { regions, onNow };
  }
  throw new Error('no shift of the hours covers now');
}

async function seed(team: Team) {
  const { people, board } = await oncallCrew(team, 'Follow the sun', ['Ada Lead', 'Bob Dev', 'Cy Night']);
  const [ada, bob, cy] = people as [Person, Person, Person];
  return { ada, bob, cy, board };
}

async function openFollowTheSun(page: Page) {
  const dialog = await openRotaDialog(page);
  await dialog
    .getByRole('form', { name: 'New weekly rota' })
    .getByLabel('Shift pattern')
    .selectOption('follow_the_sun');
  const form = dialog.getByRole('form', { name: 'New follow-the-sun rota' });
  return { dialog, form };
}

const region = (form: Locator, n: number) => form.getByRole('group', { name: `Region ${n}`, exact: true });

/** Types a region's name, zone and hours and ticks its person, as a user does. */
async function fillRegion(form: Locator, n: number, r: Region & { zoneTyped?: string }, person: Person) {
  const group = region(form, n);
  await group.getByLabel('Region name').fill(r.name);
  const zone = group.getByLabel('Region time zone');
  await zone.fill('');
  await zone.pressSequentially(r.zoneTyped ?? r.zone);
  await group.getByLabel(`Region ${n} starts`).fill(hhmm(r.start));
  await group.getByLabel(`Region ${n} ends`).fill(hhmm(r.end));
  await group.getByLabel(`${r.name}: ${person.name}`).check();
}

test('a manager sets up Sydney, London and New York; refusals sit at their field; the strip shows who is on now', async ({
  team,
  openBoardAs,
}) => {
  const { ada, bob, cy, board } = await seed(team);
  const people = [ada, bob, cy];
  const { regions, onNow } = regionsOnNow(new Date());
  const [sydney, london, newYork] = regions as [Region, Region, Region];
  const page = await openBoardAs(ada, board);
  const { dialog, form } = await openFollowTheSun(page);

  // Two regions to start with, and two is the fewest: neither can be removed.
  await expect(form.getByTestId('sun-region')).toHaveCount(2);
  await expect(form.getByRole('button', { name: /^Remove region/ })).toHaveCount(0);
  await form.getByRole('button', { name: 'Add region' }).click();
  await form.getByRole('button', { name: 'Add region' }).click();
  await expect(form.getByTestId('sun-region')).toHaveCount(4);
  await form.getByRole('button', { name: 'Remove region 4' }).click();
  await expect(form.getByTestId('sun-region')).toHaveCount(3);
  await expect(form.getByRole('button', { name: /^Remove region/ })).toHaveCount(3);

  await form.getByLabel('Name', { exact: true }).fill('Round the world');
  // Sydney's zone mistyped, and New York's day starting while London's is still on.
  await fillRegion(form, 1, { ...sydney, zoneTyped: 'Australia/Sidney' }, ada);
  await fillRegion(form, 2, london, bob);
  await fillRegion(form, 3, { ...newYork, start: newYork.start - 2 }, cy);
  await dialog.screenshot({ path: `${SHOTS}/sun-three-regions-1440.png` });
  await form.getByRole('button', { name: 'Create rota' }).click();

  const zoneError = region(form, 1).locator('[data-field="pattern.shifts.0.zone"]');
  await expect(zoneError).toHaveText('unknown time zone Australia/Sidney', SERVER);
  await expect(region(form, 1).getByLabel('Region time zone')).toHaveAttribute('aria-invalid', 'true');
  await expect(region(form, 2).getByLabel('Region time zone')).toHaveAttribute('aria-invalid', 'false');
  await zoneError.scrollIntoViewIfNeeded();
  await dialog.screenshot({ path: `${SHOTS}/sun-zone-refused-1440.png` });
  expect(await rotasOf(team, board)).toEqual([]);

  const zone = region(form, 1).getByLabel('Region time zone');
  await zone.fill('');
  await zone.pressSequentially('Australia/Sydney');
  await form.getByRole('button', { name: 'Create rota' }).click();
  const overlap = region(form, 3).locator('[data-field="pattern.shifts.2.hours"]');
  await expect(overlap).toContainText('overlaps London on', SERVER);
  await expect(zoneError).toHaveCount(0);
  await expect(region(form, 3).getByLabel('Region 3 starts')).toHaveAttribute('aria-invalid', 'true');
  expect(await rotasOf(team, board)).toEqual([]);

  await region(form, 3).getByLabel('Region 3 starts').fill(hhmm(newYork.start));
  await form.getByRole('button', { name: 'Create rota' }).click();
  await expect(dialog.getByTestId('rota').filter({ hasText: 'Round the world' })).toContainText(
    `follow the sun: Sydney ${hhmm(sydney.start)}–${hhmm(sydney.end)} Australia/Sydney, ` +
      `London ${hhmm(london.start)}–${hhmm(london.end)} Europe/London, ` +
      `New York ${hhmm(newYork.start)}–${hhmm(newYork.end)} America/New_York`,
    SERVER,
  );
  await expect(form.locator('[data-field]')).toHaveCount(0);
  const [rota] = await rotasOf(team, board);
  expect(rota?.pattern).toEqual({
    kind: 'follow_the_sun',
    shifts: regions.map((r, i) => ({
      name: r.name,
      zone: r.zone,
      start: hhmm(r.start),
      end: hhmm(r.end),
      members: [people[i]!.id],
    })),
  });

  // Who is on duty now: the region whose local hours hold this moment, and its person.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('on-duty').filter({ hasText: 'Round the world' })).toHaveText(
    `Round the world ${people[onNow]!.name} in ${regions[onNow]!.name}`,
    SERVER,
  );
});

test('on a phone, three regions fit the screen and each can be filled in', async ({ team, openBoardAs }) => {
  const { ada, bob, cy, board } = await seed(team);
  const viewport = { width: 390, height: 844 };
  const page = await openBoardAs(ada, board, undefined, { viewport, isMobile: true, hasTouch: true });
  const { dialog, form } = await openFollowTheSun(page);
  await form.getByRole('button', { name: 'Add region' }).tap();
  const [sydney, london, newYork] = REGIONS as [Region, Region, Region];
  await fillRegion(form, 1, sydney, ada);
  await fillRegion(form, 2, london, bob);
  await fillRegion(form, 3, newYork, cy);

  // Nothing of the form is wider than the phone: no sideways scrolling to reach a field.
  expect(await dialog.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
  for (const n of [1, 2, 3]) {
    const group = region(form, n);
    await group.scrollIntoViewIfNeeded();
    for (const field of [
      group.getByLabel('Region time zone'),
      group.getByLabel(`Region ${n} ends`),
      group.getByRole('button', { name: `Remove region ${n}` }),
    ]) {
      const box = await field.boundingBox();
      expect(box, `region ${n}`).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      expect(box!.height).toBeGreaterThanOrEqual(24);
    }
  }
  await region(form, 1).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/sun-three-regions-390-top.png` });
  await region(form, 3).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/sun-three-regions-390-bottom.png` });
  await dialog.screenshot({ path: `${SHOTS}/sun-three-regions-390-dialog.png` });

  await form.getByLabel('Name', { exact: true }).fill('Round the world');
  await form.getByRole('button', { name: 'Create rota' }).tap();
  await expect(dialog.getByTestId('rota').filter({ hasText: 'Round the world' })).toContainText(
    'New York 09:00–17:00 America/New_York',
    SERVER,
  );
});
