/**
 * The OpenFeature provider backed by PostgreSQL: it holds every flag and override in memory (a few
 * rows per flag), answers evaluations from that copy with the pure rule in domain/flags.ts, and
 * reloads it when a flag changes (on this instance, or on another one as told by NOTIFY), emitting
 * OpenFeature's ConfigurationChanged.
 *
 * Evaluation context: `boardId` and `role` (the caller's role on that board) choose the override;
 * `instanceId` names the server instance that evaluated (for hooks and logs; flags are shared by
 * every instance on one database, so it selects nothing).
 */
import {
  type EvaluationContext,
  FlagNotFoundError,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
  TypeMismatchError,
} from '@openfeature/server-sdk';
import type { FlagType, FlagValue } from '../../protocol/flags.ts';
import { ROLES, type Role } from '../../protocol/model.ts';
import { evaluateFlag, type FlagDefinition, type FlagTarget } from '../domain/flags.ts';
import type { Db } from '../infra/database.ts';
import { allFlags, type FlagRow } from './repo.ts';

export class PostgresFlagProvider implements Provider {
  readonly metadata = { name: 'blendboard-postgres' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  #flags = new Map<string, FlagRow>();

  constructor(
    private readonly db: Db,
    /** used until the flags can be read (a database not migrated yet): defaults, no overrides */
    catalogue: readonly FlagDefinition[],
    private readonly log: (err: unknown) => void = () => {},
  ) {
    this.#flags = new Map(catalogue.map((f) => [f.key, { ...f, overrides: [] }]));
  }

  async initialize(): Promise<void> {
    // A server on a database that is not migrated yet still starts (and /readyz says why).
    await this.reload().catch(this.log);
  }

  /** Reads every flag again; `changed` names the flags that changed (empty: unknown, e.g. after a reconnect). */
  async reload(changed: string[] = []): Promise<void> {
    const rows = await allFlags(this.db);
    this.#flags = new Map(rows.map((f) => [f.key, f]));
    this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed });
  }

  /** The flags as loaded (the admin page's list). */
  flags(): FlagRow[] {
    return [...this.#flags.values()];
  }

  resolveBooleanEvaluation(key: string, _default: boolean, ctx: EvaluationContext) {
    return Promise.resolve(this.#resolve<boolean>(key, 'boolean', ctx));
  }
  resolveStringEvaluation(key: string, _default: string, ctx: EvaluationContext) {
    return Promise.resolve(this.#resolve<string>(key, 'string', ctx));
  }
  resolveNumberEvaluation(key: string, _default: number, ctx: EvaluationContext) {
    return Promise.resolve(this.#resolve<number>(key, 'number', ctx));
  }
  resolveObjectEvaluation<T extends JsonValue>(key: string): Promise<ResolutionDetails<T>> {
    return Promise.reject(new TypeMismatchError(`flag ${key}: flags are booleans, strings or numbers`));
  }

  #resolve<T extends FlagValue>(key: string, type: FlagType, ctx: EvaluationContext): ResolutionDetails<T> {
    const flag = this.#flags.get(key);
    if (!flag) throw new FlagNotFoundError(`no flag ${key}`);
    if (flag.type !== type) throw new TypeMismatchError(`flag ${key} is a ${flag.type}, not a ${type}`);
    const { value, reason, scope } = evaluateFlag(flag.defaultValue, flag.overrides, targetOf(ctx));
    return {
      value: value as T,
      reason:
        reason === 'DEFAULT' ? StandardResolutionReasons.DEFAULT : StandardResolutionReasons.TARGETING_MATCH,
      ...(scope ? { variant: `board:${scope.boardId ?? '*'} role:${scope.role ?? '*'}` } : {}),
    };
  }
}

function targetOf(ctx: EvaluationContext): FlagTarget {
  const boardId = typeof ctx.boardId === 'string' ? ctx.boardId : null;
  const role = (ROLES as readonly unknown[]).includes(ctx.role) ? (ctx.role as Role) : null;
  return { boardId, role };
}
