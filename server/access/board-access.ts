/** Looks up an actor's role on a board and enforces a permission. Every service starts here. */
import type { Role } from '../../protocol/model.ts';
import type { Db } from '../infra/database.ts';
import { AppError } from '../infra/errors.ts';
import { type Permission, roleAllows } from './permissions.ts';
import { boardMembership } from './repo.ts';

export interface Actor {
  /** null for a plugin acting on its own behalf */
  userId: string | null;
  label: string;
  isAdmin: boolean;
}

export async function roleOnBoard(db: Db, actor: Actor, boardId: string): Promise<Role | null> {
  return roleIn(await boardMembership(db, boardId, actor.userId), actor);
}

function roleIn(row: { role: string | null } | undefined, actor: Actor): Role | null {
  if (!row) return null;
  if (actor.isAdmin) return 'admin';
  return (row.role as Role | null) ?? null;
}

/** Throws NOT_FOUND when the board is missing or hidden from the actor, FORBIDDEN when the role lacks it. */
export async function requireBoardPermission(
  db: Db,
  actor: Actor,
  boardId: string,
  permission: Permission,
): Promise<Role> {
  return requireRole(await roleOnBoard(db, actor, boardId), permission);
}

/**
 * The same check, and the board's sequence number read with it in the same query: a socket joining a
 * board checks again once in its room, and answers from that number without asking for it apart.
 */
export async function requireBoardPermissionAt(
  db: Db,
  actor: Actor,
  boardId: string,
  permission: Permission,
): Promise<{ role: Role; seq: number }> {
  const row = await boardMembership(db, boardId, actor.userId);
  return { role: requireRole(roleIn(row, actor), permission), seq: Number(row?.seq ?? 0) };
}

/** The same check on a role already read (null = the actor has none on this board). */
export function requireRole(role: Role | null, permission: Permission): Role {
  if (!role) throw new AppError('NOT_FOUND', 'board not found');
  if (!roleAllows(role, permission)) {
    throw new AppError('FORBIDDEN', `your role (${role}) does not allow ${permission} on this board`, {
      permission,
      role,
    });
  }
  return role;
}
