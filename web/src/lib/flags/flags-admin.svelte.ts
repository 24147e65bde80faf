/**
 * The feature-flags page's state: the flags with their overrides, the boards (to name scopes), the
 * audit log, and the one way to change an override. Changes made elsewhere show on the next load.
 */
import type { Flag, FlagAuditEntry, FlagScope, FlagValue } from '../../../../protocol/flags.ts';
import type { Board } from '../../../../protocol/model.ts';
import type { Api } from '../api.ts';
import { ROLE } from '../board/vocabulary.ts';
import { flagAudit, listFlags, setFlagOverride } from './api.ts';

export type AdminStatus = 'loading' | 'ready' | 'error';

export class FlagsAdmin {
  status = $state<AdminStatus>('loading');
  error = $state<string | null>(null);
  flags = $state.raw<Flag[]>([]);
  boards = $state.raw<Board[]>([]);
  audit = $state.raw<FlagAuditEntry[]>([]);

  constructor(private readonly api: Api) {}

  async load(): Promise<void> {
    try {
      [this.flags, this.boards, this.audit] = await Promise.all([
        listFlags(this.api),
        this.api.boards(),
        flagAudit(this.api),
      ]);
      this.status = 'ready';
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.status = 'error';
    }
  }

  /** Sets the scope's override (null removes it); throws the server's refusal for the form to show. */
  async set(key: string, scope: FlagScope, value: FlagValue | null, reason: string): Promise<void> {
    const flag = await setFlagOverride(this.api, key, {
      boardId: scope.boardId,
      role: scope.role,
      value,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
    this.flags = this.flags.map((f) => (f.key === key ? flag : f));
    this.audit = await flagAudit(this.api);
  }

  /** "Payments · Viewer", "every board · every role", ... */
  scopeLabel(scope: FlagScope): string {
    const board = scope.boardId
      ? (this.boards.find((b) => b.id === scope.boardId)?.name ?? 'a deleted board')
      : 'every board';
    return `${board} · ${scope.role ? ROLE[scope.role] : 'every role'}`;
  }
}

export const showValue = (value: FlagValue | null): string =>
  value === null ? 'default' : value === true ? 'on' : value === false ? 'off' : String(value);
