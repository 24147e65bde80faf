/**
 * The web app's OpenFeature provider: it holds the flags the server evaluated for this user on this
 * board (GET /api/flags/evaluated) and answers from that copy, synchronously, as the web SDK wants.
 * `refresh()` reads them again (on the socket's `flags:changed`, and after a reconnect) and emits
 * OpenFeature's ConfigurationChanged, which the UI listens to.
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
} from '@openfeature/web-sdk';
import type { EvaluatedFlags, FlagValue } from '../../../../protocol/flags.ts';

export type LoadFlags = (boardId: string | null) => Promise<EvaluatedFlags>;

export class ServerFlagProvider implements Provider {
  readonly metadata = { name: 'blendboard-api' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  #flags: Record<string, FlagValue> = {};
  #boardId: string | null = null;
  #loads = 0;

  constructor(private readonly load: LoadFlags) {}

  async initialize(context?: EvaluationContext): Promise<void> {
    this.#boardId = boardOf(context);
    await this.#fetch();
  }

  async onContextChange(_old: EvaluationContext, context: EvaluationContext): Promise<void> {
    this.#boardId = boardOf(context);
    await this.#fetch();
  }

  /** Reads the flags again and tells OpenFeature's listeners which keys may have changed. */
  async refresh(keys: string[] = []): Promise<void> {
    if (await this.#fetch()) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys });
  }

  resolveBooleanEvaluation(key: string): ResolutionDetails<boolean> {
    return this.#resolve(key, 'boolean');
  }
  resolveStringEvaluation(key: string): ResolutionDetails<string> {
    return this.#resolve(key, 'string');
  }
  resolveNumberEvaluation(key: string): ResolutionDetails<number> {
    return this.#resolve(key, 'number');
  }
  resolveObjectEvaluation<T extends JsonValue>(key: string): ResolutionDetails<T> {
    throw new TypeMismatchError(`flag ${key}: flags are booleans, strings or numbers`);
  }

  /** False when a later read overtook this one (its answer is older, so it is dropped). */
  async #fetch(): Promise<boolean> {
    const ticket = ++this.#loads;
    const answer = await this.load(this.#boardId);
    if (ticket !== this.#loads) return false;
    this.#flags = answer.flags;
    return true;
  }

  #resolve<T extends FlagValue>(key: string, type: 'boolean' | 'string' | 'number'): ResolutionDetails<T> {
    const value = this.#flags[key];
    if (value === undefined) throw new FlagNotFoundError(`no flag ${key}`);
    if (typeof value !== type) throw new TypeMismatchError(`flag ${key} is a ${typeof value}, not a ${type}`);
    return { value: value as T, reason: StandardResolutionReasons.CACHED };
  }
}

function boardOf(context?: EvaluationContext): string | null {
  return typeof context?.boardId === 'string' ? context.boardId : null;
}
