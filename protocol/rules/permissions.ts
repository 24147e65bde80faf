/**
 * Who may do what on a board, by role: the one table, pure. The server enforces it
 * (server/access/board-access.ts looks up the role and refuses); the web app reads the same table
 * only to show or hide what the role cannot do.
 */
import type { Role } from '../model.ts';

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
  | 'release:decide' // approve a firebreak, give a go/no-go verdict
  | 'hypercare:work' // the dev team works through the handover checklist and submits it
  | 'hypercare:decide' // extend hyper-care or end it early
  | 'handover:accept' // the AMS lead accepts or rejects a handover
  | 'oncall:manage' // rotas, overrides and swaps, escalation policies
  | 'improvement:manage' // the review cadence, reviews, and every item of the improvement register
  | 'improvement:work_own' // update the improvement items one owns
  | 'sla:review' // record the quarterly SLA review minutes
  // who may use the board's request portal; requesters themselves hold no role here (they are not
  // members): the portal checks their board_requesters row and that a request is their own
  | 'requester:manage';

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
    'hypercare:work',
    'hypercare:decide',
    'handover:accept',
    'oncall:manage',
    'improvement:manage',
    'sla:review',
    'requester:manage',
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
    'hypercare:work',
    'hypercare:decide',
    'oncall:manage',
    'improvement:manage',
    'sla:review',
    'requester:manage',
  ]),
  developer: new Set<Permission>([...WORKER, 'release:deploy', 'hypercare:work', 'improvement:work_own']),
  // the AMS team accepts what goes live into its service; its lead accepts the handover
  maintenance: new Set<Permission>([
    ...WORKER,
    'release:deploy',
    'release:decide',
    'hypercare:decide',
    'handover:accept',
    'oncall:manage',
    'improvement:manage',
    'sla:review',
  ]),
  viewer: new Set<Permission>(['board:read']),
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}
