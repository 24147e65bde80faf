/**
 * Who may do what on a board. The table is in protocol/rules/permissions.ts, shared with the web app
 * (which only shows or hides); the server is the authority: services call `requireBoardPermission`
 * (board-access.ts), which looks up the role and asks `roleAllows`.
 */
export { type Permission, roleAllows } from '../../protocol/rules/permissions.ts';
