/**
 * Who may do what on a board: the one place that answers it. Pure: a role and a permission in,
 * yes or no out. Services call `requireBoardPermission` (board-access.ts), which looks up the role.
 */
import type { Role } from '../../protocol/model.ts';

export type Permission =
  | 'board:read'
  | 'board:manage' // rename, columns, WIP limits
  | 'member:manage'
  | 'card:create'
  | 'card:edit'
  | 'card:delete'
  | 'card:move' // re-rank, change column or sprint
  | 'card:change_stream' // hand work between the development and maintenance streams
  | 'card:comment'
  | 'sprint:manage'
  | 'plugin:manage'
  | 'release:manage' // plan releases, their scope, firebreak and readiness
  | 'release:deploy' // report deployments and checks, ask the gate
  | 'release:decide'; // approve a firebreak, give a go/no-go verdict

const WORKER: Permission[] = ['board:read', 'card:create', 'card:edit', 'card:move', 'card:comment'];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([
    ...WORKER,
    'board:manage',
    'member:manage',
    'card:delete',
    'card:change_stream',
    'sprint:manage',
    'plugin:manage',
    'release:manage',
    'release:deploy',
    'release:decide',
  ]),
  product_owner: new Set<Permission>([
    ...WORKER,
    'board:manage',
    'card:delete',
    'card:change_stream',
    'sprint:manage',
    'plugin:manage',
    'release:manage',
    'release:deploy',
    'release:decide',
  ]),
  developer: new Set<Permission>([...WORKER, 'release:deploy']),
  // the AMS team accepts what goes live into its service
  maintenance: new Set<Permission>([...WORKER, 'release:deploy', 'release:decide']),
  viewer: new Set<Permission>(['board:read']),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}
