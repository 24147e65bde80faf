/**
 * Releases: plan (version, date, stream, scope), follow them along the board's path as CI reports
 * deployments and checks, answer the gate, and decide go-live. Every change is decided under the
 * release's row lock by the pure rules in domain/release.ts and recorded as a board event with it, so
 * two decisions at once record one outcome and a promotion cannot slip past a stop.
 */
import type { Role } from '../../protocol/model.ts';
import type {
  CreateReleaseInput,
  DeploymentReportInput,
  ReadinessInput,
  Release,
  ReleaseScopeInput,
  VerdictInput,
} from '../../protocol/releases.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardWrites from '../cards/writes.ts';
import {
  applyReport,
  approveFirebreak,
  DEFAULT_APPROVAL_POLICY,
  DEFAULT_ENVIRONMENTS,
  DEFAULT_READINESS,
  type FailedRun,
  type Firebreak,
  goDecision,
  mayDeploy,
  mayGiveVerdict,
  type ReadinessItem,
  type Refusal,
  type ReleaseFacts,
  type ReleaseState,
  shadowEnvironment,
  withFirebreak,
} from '../domain/release.ts';
import { startHypercare } from '../hypercare/service.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { ReleaseRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents, type RecordEvent } from '../sync/event-log.ts';
import * as repo from './repo.ts';

/** What a `release.updated` event says happened. */
export type ReleaseChangeKind =
  | 'scope'
  | 'deployed'
  | 'stopped'
  | 'resumed'
  | 'firebreak'
  | 'readiness'
  | 'verdict'
  | 'live';

type VerdictRow = Awaited<ReturnType<typeof repo.verdicts>>[number];
type Trx = Parameters<Parameters<typeof commitWithEvents>[2]>[0];
/** What one change of a release writes (null: nothing, e.g. a redelivered report), decided under its row lock. */
type Decide = (
  trx: Trx,
  row: ReleaseRow,
  record: RecordEvent,
) => Promise<{ kind?: ReleaseChangeKind; set?: repo.ReleaseChange } | null>;

function toRelease(row: ReleaseRow, cardIds: string[], verdicts: VerdictRow[]): Release {
  return {
    id: row.id,
    boardId: row.board_id,
    version: row.version,
    tag: row.tag,
    commit: row.commit_sha,
    targetDate: row.target_date,
    stream: row.stream as Release['stream'],
    notes: row.notes,
    state: row.state as Release['state'],
    environments: row.environments as string[],
    reached: row.reached,
    stop: (row.stop as FailedRun | null) ?? null,
    firebreak: (row.firebreak as Firebreak | null) ?? null,
    shadowUrl: row.shadow_url,
    readiness: row.readiness as ReadinessItem[],
    approvers: row.approvers as Role[],
    verdicts: verdicts.map((v) => ({
      userId: v.user_id,
      userName: v.name,
      role: v.role as Role,
      verdict: v.verdict as 'go' | 'no_go',
      reason: v.reason,
      at: v.created_at.toISOString(),
    })),
    cardIds,
    liveAt: row.live_at ? row.live_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    revision: row.revision,
  };
}

const factsOf = (row: ReleaseRow): ReleaseFacts => ({
  state: row.state as ReleaseState,
  environments: row.environments as string[],
  reached: row.reached,
  stop: (row.stop as FailedRun | null) ?? null,
  firebreak: (row.firebreak as Firebreak | null) ?? null,
});

const conflict = (r: Refusal) => new AppError('CONFLICT', `${r.field}: ${r.message}`, { field: r.field });

export class ReleaseService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async list(actor: Actor, boardId: string): Promise<Release[]> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const rows = await repo.list(this.db, boardId);
    return this.withDetails(this.db, rows);
  }

  async get(actor: Actor, boardId: string, releaseId: string): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const row = await repo.find(this.db, boardId, releaseId);
    if (!row) throw notFound('release');
    return (await this.withDetails(this.db, [row]))[0]!;
  }

  async create(actor: Actor, boardId: string, input: CreateReleaseInput): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const settings = await this.settings(boardId);
    const version = input.version.trim();
    let firebreak: Firebreak | null = null;
    if (input.firebreak) {
      const index = settings.environments.indexOf(input.firebreak.environment);
      if (index < 0 || index >= settings.environments.length - 1)
        throw invalid(
          'firebreak.environment',
          `a firebreak pauses at an environment before live: one of ${settings.environments.slice(0, -1).join(', ')}`,
        );
      firebreak = {
        environment: input.firebreak.environment,
        reason: input.firebreak.reason.trim(),
        approvers: [...new Set(input.firebreak.approvers)],
        approvedBy: [],
        manualTests: [],
      };
    }
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      if (await repo.versionTaken(trx, boardId, version))
        throw new AppError('CONFLICT', `version: ${version} is already planned on this board`, {
          field: 'version',
        });
      const row = await repo
        .insertRelease(trx, {
          board_id: boardId,
          version,
          tag: input.tag ?? null,
          commit_sha: input.commit?.toLowerCase() ?? null,
          target_date: input.targetDate ?? null,
          stream: input.stream,
          notes: input.notes ?? '',
          environments: JSON.stringify(settings.environments),
          firebreak: firebreak ? JSON.stringify(firebreak) : null,
          readiness: JSON.stringify(settings.readiness.map((i) => ({ ...i, done: false }))),
          approvers: JSON.stringify(settings.approvers),
          created_by: actor.userId,
        })
        .catch((err: unknown) => {
          // two plans of one version at once: the unique index decides
          if ((err as { code?: string }).code === '23505')
            throw new AppError('CONFLICT', `version: ${version} is already planned on this board`, {
              field: 'version',
            });
          throw err;
        });
      const release = toRelease(row, [], []);
      await record({ boardId, type: 'release.created', cardId: null, actor, payload: { release } });
      return release;
    });
  }

  /** Adds cards to the release's scope or takes them out; a card travels in one release at a time. */
  async scope(actor: Actor, boardId: string, releaseId: string, input: ReleaseScopeInput): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const add = [...new Set(input.add ?? [])];
    const remove = [...new Set(input.remove ?? [])];
    if (add.length === 0 && remove.length === 0) throw invalid('add', 'name cards to add or remove');
    return this.change(actor, boardId, releaseId, 'scope', async (trx, row) => {
      if (row.state === 'live' || row.state === 'cancelled')
        throw conflict({ field: 'state', message: `the release is ${row.state}: its scope is fixed` });
      const found = await repo.cardsOnBoard(trx, boardId, add);
      const byId = new Map(found.map((c) => [c.id, c.release_id]));
      for (const [i, cardId] of add.entries()) {
        if (!byId.has(cardId)) throw invalid(`add[${i}]`, 'no such card on this board');
        const other = byId.get(cardId);
        if (other && other !== releaseId)
          throw new AppError('CONFLICT', `add[${i}]: the card already travels in another release`, {
            field: `add[${i}]`,
          });
      }
      await repo.addCards(trx, releaseId, add);
      await repo.removeCards(trx, releaseId, remove);
      return {};
    });
  }

  /**
   * A deployment or check run reported by CI (or a person). The same report delivered again changes
   * nothing. A failure stops the line there; a success moves the release on or lifts its stop.
   */
  async report(
    actor: Actor,
    boardId: string,
    releaseId: string,
    input: DeploymentReportInput,
  ): Promise<{ release: Release; duplicate: boolean }> {
    await requireBoardPermission(this.db, actor, boardId, 'release:deploy');
    const result = await commitWithEvents(this.db, this.bus, (trx, record) =>
      this.reportWithin(trx, record, actor, boardId, releaseId, input),
    );
    if ('refusal' in result) throw conflict(result.refusal);
    return result;
  }

  /**
   * The one write path of a reported run, for the HTTP route and for plugins (server/plugin-host),
   * inside the caller's transaction and attributed to `actor`, who the caller has checked may deploy
   * (a person: `release:deploy`; a plugin: installed on the board). A report the rules refuse is
   * returned as a refusal, not thrown, so a plugin's delivery can record why and still commit.
   */
  async reportWithin(
    trx: Trx,
    record: RecordEvent,
    actor: Actor,
    boardId: string,
    releaseId: string,
    input: DeploymentReportInput,
  ): Promise<{ release: Release; duplicate: boolean } | { refusal: Refusal }> {
    let duplicate = false;
    const refused: { refusal?: Refusal } = {};
    const release = await this.changeWithin(
      trx,
      record,
      actor,
      boardId,
      releaseId,
      'deployed',
      async (trx, row, record) => {
        const outcome = applyReport(factsOf(row), input);
        if (outcome.kind === 'refused') {
          refused.refusal = outcome.refusal;
          return null;
        }
        const fresh = await repo.insertRun(trx, {
          release_id: releaseId,
          environment: input.environment,
          run_id: input.runId,
          kind: input.kind,
          outcome: input.outcome,
          url: input.url ?? null,
          reported_by: actor.userId,
        });
        if (!fresh) {
          duplicate = true;
          return null;
        }
        if (outcome.stopped) await this.raiseDefect(trx, record, actor, row, outcome.stopped);
        const next = outcome.next;
        const kind: ReleaseChangeKind = outcome.stopped
          ? 'stopped'
          : outcome.resumed
            ? 'resumed'
            : 'deployed';
        const atShadow =
          input.environment === shadowEnvironment(next.environments) && input.outcome === 'success';
        return {
          kind,
          set: {
            state: next.state,
            reached: next.reached,
            stop: next.stop ? JSON.stringify(next.stop) : null,
            ...(atShadow && input.url ? { shadow_url: input.url } : {}),
          },
        };
      },
    );
    return refused.refusal ? { refusal: refused.refusal } : { release, duplicate };
  }

  /**
   * The line stopped: a defect on the backlog, in the originating team's stream, linked to the
   * release (it joins its scope) and to the run. Deduplicated like a CI failure: while the defect for
   * this release and environment exists, a further failure there is a comment on it.
   */
  private async raiseDefect(
    trx: Parameters<Parameters<typeof commitWithEvents>[2]>[0],
    record: RecordEvent,
    actor: Actor,
    row: ReleaseRow,
    run: FailedRun,
  ) {
    const what = `${run.kind === 'check' ? 'automated check' : 'deployment'} ${run.runId}${run.url ? ` (${run.url})` : ''}`;
    const existing = await repo.defectFor(trx, row.id, run.environment);
    if (existing) {
      await cardWrites.addComment(trx, record, actor, row.board_id, existing.id, `Failed again: ${what}.`);
      return;
    }
    const card = await cardWrites.createCard(trx, record, actor, row.board_id, 'top', {
      ...cardWrites.fieldsOf(
        {
          title: `Release ${row.version} stopped in ${run.environment}: ${what} failed`,
          description: `The ${what} failed in ${run.environment}, which stopped release ${row.version} there. Record the problem determination here and raise linked tickets for what it finds; a successful re-run in ${run.environment} lets the release go on.`,
          type: 'defect_automated',
          stream: row.stream as Release['stream'],
          priority: 'high',
          labels: ['release', run.environment],
        },
        actor,
        {
          plugin: 'releases',
          kind: 'release_stop',
          dedupKey: `release:${row.id}:${run.environment}`,
          ...(run.url ? { url: run.url } : {}),
          release: { id: row.id, version: row.version },
          environment: run.environment,
          runId: run.runId,
        },
      ),
    });
    await repo.recordDefect(trx, row.id, run.environment, card.id);
    await repo.addCards(trx, row.id, [card.id]);
  }

  /** The gate a pipeline asks before deploying: may this release go to this environment now? */
  async gate(actor: Actor, boardId: string, releaseId: string, environment: string) {
    await requireBoardPermission(this.db, actor, boardId, 'release:deploy');
    const row = await repo.find(this.db, boardId, releaseId);
    if (!row) throw notFound('release');
    const facts = factsOf(row);
    if (!facts.environments.includes(environment))
      throw invalid('environment', `not on this board's path (${facts.environments.join(', ')})`);
    const stoppedHere = facts.stop?.environment === environment;
    const refusal = stoppedHere ? null : mayDeploy(facts, environment);
    return refusal
      ? { allowed: false, environment, reason: refusal.message, state: facts.state }
      : { allowed: true, environment, state: facts.state };
  }

  async readiness(actor: Actor, boardId: string, releaseId: string, input: ReadinessInput): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    return this.change(actor, boardId, releaseId, 'readiness', async (_trx, row) => {
      if (row.state === 'live' || row.state === 'cancelled')
        throw conflict({ field: 'state', message: `the release is ${row.state}` });
      const items = row.readiness as ReadinessItem[];
      if (!items.some((i) => i.key === input.key))
        throw invalid('key', `no such readiness item; one of ${items.map((i) => i.key).join(', ')}`);
      const waived = input.waivedReason?.trim();
      const next = items.map((i) =>
        i.key === input.key
          ? {
              key: i.key,
              label: i.label,
              done: input.done,
              ...(waived && !input.done ? { waivedReason: waived } : {}),
            }
          : i,
      );
      return { set: { readiness: JSON.stringify(next) } };
    });
  }

  async firebreakTest(
    actor: Actor,
    boardId: string,
    releaseId: string,
    input: { name: string; passed: boolean },
  ): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:deploy');
    return this.change(actor, boardId, releaseId, 'firebreak', async (_trx, row) => {
      const facts = factsOf(row);
      if (!facts.firebreak) throw conflict({ field: 'firebreak', message: 'this release has no firebreak' });
      const name = input.name.trim();
      const tests = facts.firebreak.manualTests.filter((t) => t.name !== name);
      return this.firebreakChange(facts, {
        ...facts.firebreak,
        manualTests: [...tests, { name, passed: input.passed }],
      });
    });
  }

  async approveFirebreak(actor: Actor, boardId: string, releaseId: string): Promise<Release> {
    const role = await requireBoardPermission(this.db, actor, boardId, 'release:decide');
    if (!actor.userId) throw new AppError('FORBIDDEN', 'a firebreak is approved by a person');
    const userId = actor.userId;
    return this.change(actor, boardId, releaseId, 'firebreak', async (_trx, row) => {
      const facts = factsOf(row);
      if (!facts.firebreak) throw conflict({ field: 'firebreak', message: 'this release has no firebreak' });
      const approved = approveFirebreak(facts.firebreak, { userId, role });
      if ('refusal' in approved) throw conflict(approved.refusal);
      return this.firebreakChange(facts, approved.firebreak);
    });
  }

  private firebreakChange(facts: ReleaseFacts, firebreak: Firebreak) {
    const next = withFirebreak(facts, firebreak);
    return { set: { firebreak: JSON.stringify(firebreak), state: next.state } };
  }

  /**
   * A go or no-go verdict on the shadow. Separation of duties: not by whoever worked on the release's
   * cards or deployed it, never by a developer. When the policy's go verdicts are all in and the
   * readiness checklist is complete, the release is live, in the same transaction as the last verdict.
   */
  async verdict(actor: Actor, boardId: string, releaseId: string, input: VerdictInput): Promise<Release> {
    const role = await requireBoardPermission(this.db, actor, boardId, 'release:decide');
    if (!actor.userId) throw new AppError('FORBIDDEN', 'a go-live is decided by a person');
    const userId = actor.userId;
    const reason = input.reason.trim();
    if (input.verdict === 'no_go' && reason.length === 0) throw invalid('reason', 'say why it is no-go');
    let live = false;
    const release = await this.change(actor, boardId, releaseId, 'verdict', async (trx, row, record) => {
      const given = await repo.verdicts(trx, [releaseId]);
      const facts = {
        state: row.state as ReleaseState,
        policy: { approvers: row.approvers as Role[] },
        readiness: row.readiness as ReadinessItem[],
        contributors: await repo.contributors(trx, releaseId),
        verdicts: given.map((v) => ({
          userId: v.user_id,
          role: v.role as Role,
          verdict: v.verdict as 'go' | 'no_go',
          reason: v.reason,
        })),
      };
      const refusal = mayGiveVerdict(facts, { userId, role });
      if (refusal)
        throw refusal.field === 'role'
          ? new AppError('FORBIDDEN', refusal.message, { field: 'role' })
          : conflict(refusal);
      await repo.insertVerdict(trx, {
        release_id: releaseId,
        user_id: userId,
        role,
        verdict: input.verdict,
        reason,
      });
      const decision = goDecision({
        ...facts,
        verdicts: [...facts.verdicts, { userId, role, verdict: input.verdict, reason }],
      });
      if (decision.decided !== 'go') return {};
      await startHypercare(trx, record, actor, row);
      live = true;
      return {
        kind: 'live' as const,
        set: { state: 'live', reached: (row.environments as string[]).length - 1, live_at: new Date() },
      };
    });
    void live;
    return release;
  }

  /**
   * One change of a release: lock its row, let `decide` say what to write (null: nothing, e.g. a
   * redelivered report), write it with a bumped revision, and record `release.updated` with the
   * release as it now is.
   */
  private async change(
    actor: Actor,
    boardId: string,
    releaseId: string,
    kind: ReleaseChangeKind,
    decide: Decide,
  ): Promise<Release> {
    return commitWithEvents(this.db, this.bus, (trx, record: RecordEvent) =>
      this.changeWithin(trx, record, actor, boardId, releaseId, kind, decide),
    );
  }

  private async changeWithin(
    trx: Trx,
    record: RecordEvent,
    actor: Actor,
    boardId: string,
    releaseId: string,
    kind: ReleaseChangeKind,
    decide: Decide,
  ): Promise<Release> {
    const row = await repo.lock(trx, boardId, releaseId);
    if (!row) throw notFound('release');
    const decided = await decide(trx, row, record);
    if (decided === null) return (await this.withDetails(trx, [row]))[0]!;
    const updated = await repo.update(trx, releaseId, decided.set ?? {});
    const release = (await this.withDetails(trx, [updated]))[0]!;
    await record({
      boardId,
      type: 'release.updated',
      cardId: null,
      actor,
      payload: { release, change: decided.kind ?? kind, previousState: row.state },
    });
    return release;
  }

  private async settings(boardId: string): Promise<repo.ReleaseSettings> {
    return (
      (await repo.settings(this.db, boardId)) ?? {
        environments: [...DEFAULT_ENVIRONMENTS],
        approvers: [...DEFAULT_APPROVAL_POLICY.approvers],
        readiness: DEFAULT_READINESS.map((i) => ({ key: i.key, label: i.label })),
      }
    );
  }

  private async withDetails(db: Parameters<typeof repo.scopes>[0], rows: ReleaseRow[]): Promise<Release[]> {
    const ids = rows.map((r) => r.id);
    const [scopes, verdicts] = await Promise.all([repo.scopes(db, ids), repo.verdicts(db, ids)]);
    return rows.map((r) =>
      toRelease(
        r,
        scopes.get(r.id) ?? [],
        verdicts.filter((v) => v.release_id === r.id),
      ),
    );
  }
}
