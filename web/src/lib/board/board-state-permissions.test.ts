/**
 * What the board offers a user follows the server's permission table (protocol/rules/permissions.ts),
 * not a copy of it: for every role, each thing the page shows or hides is the table's answer.
 */
import { describe, expect, it } from 'vitest';
import { ROLES, type Role, type Snapshot } from '../../../../protocol/model.ts';
import { type Permission, roleAllows } from '../../../../protocol/rules/permissions.ts';
import type { Api } from '../api.ts';
import type { SocketLease } from '../socket.ts';
import { BoardState } from './board-state.svelte.ts';
import { wholeFirstScreen } from './test-builders.ts';

/** A connected socket that joins at once. */
const socket = {
  connected: true,
  on() {},
  emit() {},
  timeout: () => ({
    emit: (event: string, _frame: unknown, ack: (err: Error | null, reply: unknown) => void) => {
      if (event === 'board:join') ack(null, { ok: true, mode: 'events', seq: 0, events: [] });
    },
  }),
};

async function openBoardAs(role: Role) {
  const snapshot: Snapshot = {
    board: { id: 'b', name: 'Payments', key: 'K', role, seq: 0 },
    members: [],
    columns: [],
    sprints: [],
    cards: [],
    seq: 0,
  };
  const api = {
    snapshot: async () => snapshot,
    firstScreen: async () => wholeFirstScreen(snapshot),
  } as unknown as Api;
  const board = new BoardState(
    'b',
    'me',
    api,
    () => socket as unknown as SocketLease,
    () => {},
  );
  await board.open();
  return board;
}

const PERMISSIONS: Permission[] = [
  'board:read',
  'board:manage',
  'member:manage',
  'card:create',
  'card:edit',
  'card:delete',
  'card:move',
  'card:change_stream',
  'card:comment',
  'sprint:manage',
  'plugin:manage',
];

describe('what the board lets each role do', () => {
  it.each(ROLES)('a %s is offered exactly what the permission table grants', async (role) => {
    const board = await openBoardAs(role);
    for (const p of PERMISSIONS) expect([p, board.can(p)]).toEqual([p, roleAllows(role, p)]);
    expect({
      canEdit: board.canEdit,
      canDelete: board.canDelete,
      canManageMembers: board.canManageMembers,
      canManageSprints: board.canManageSprints,
      canConfigureColumns: board.canConfigureColumns,
      canChangeStream: board.canChangeStream,
    }).toEqual({
      canEdit: roleAllows(role, 'card:edit'),
      canDelete: roleAllows(role, 'card:delete'),
      canManageMembers: roleAllows(role, 'member:manage'),
      canManageSprints: roleAllows(role, 'sprint:manage'),
      canConfigureColumns: roleAllows(role, 'board:manage'),
      canChangeStream: roleAllows(role, 'card:change_stream'),
    });
  });

  it('a viewer is offered nothing to change; a developer works cards but does not run sprints', async () => {
    const viewer = await openBoardAs('viewer');
    expect(PERMISSIONS.filter((p) => viewer.can(p))).toEqual(['board:read']);
    const developer = await openBoardAs('developer');
    expect(developer.can('card:move') && developer.canEdit).toBe(true);
    expect(developer.canManageSprints || developer.canChangeStream || developer.canDelete).toBe(false);
  });

  it('offers nothing before the board has loaded', () => {
    const board = new BoardState(
      'b',
      'me',
      {} as Api,
      () => socket as unknown as SocketLease,
      () => {},
    );
    expect(PERMISSIONS.some((p) => board.can(p))).toBe(false);
    expect(board.canEdit).toBe(false);
  });
});
