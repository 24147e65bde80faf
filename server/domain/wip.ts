/**
 * WIP policy for Kanban columns: the pure rules live in protocol/rules/wip.ts, shared with the web
 * app's warnings; the server rules on each move with them (server/cards/move-facts.ts).
 */
export {
  countsTowardLimit,
  decideWip,
  type WipColumn,
  type WipDecision,
} from '../../protocol/rules/wip.ts';
