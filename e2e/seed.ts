/**
 * Arranging a very long backlog quickly: thousands of cards written straight into the run's
 * database (through the API, 10,000 cards take half a minute). Only for arranging; every action a
 * spec asserts on still goes through the browser or the public API.
 */
import { readFileSync } from 'node:fs';
import { generateNKeysBetween } from 'fractional-indexing';
import pg from 'pg';
import type { Board } from '../protocol/model.ts';
import { SERVER_INFO_FILE } from './env.ts';

const TYPES = [
  'story',
  'enhancement',
  'defect_automated',
  'defect_manual',
  'incident',
  'problem',
  'improvement',
];
const AREAS = ['checkout', 'search', 'billing', 'login', 'reports'];

function databaseUrl(): string {
  return (JSON.parse(readFileSync(SERVER_INFO_FILE, 'utf8')) as { databaseUrl: string }).databaseUrl;
}

/** Appends `n` cards (numbered on from the board's counter) to the bottom of an empty board's backlog. */
export async function seedBacklog(board: Board, n: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const ranks = generateNKeysBetween(null, null, n);
    await client.query(
      `insert into cards (board_id, number, key, title, type, stream, rank, estimate, labels, priority)
       select $1, r.i, $2 || '-' || r.i,
              'Tidy up the ' || ($3::text[])[1 + r.i % 5] || ' flow, part ' || r.i,
              ($4::text[])[1 + r.i % 7],
              case when r.i % 3 = 0 then 'maintenance' else 'development' end,
              r.rank, (r.i % 8) + 1, array[($3::text[])[1 + r.i % 5]],
              (array['critical','high','medium','low'])[1 + r.i % 4]
       from unnest($5::text[]) with ordinality as r(rank, i)`,
      [board.id, board.key, AREAS, TYPES, ranks],
    );
    await client.query('update boards set card_counter = $2 where id = $1', [board.id, n]);
    await client.query('analyze cards'); // as autovacuum would, so the planner knows the table is big
  } finally {
    await client.end();
  }
}
