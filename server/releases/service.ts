/**
 * Releases: the board's path-to-live settings, plan (version, date, stream, scope) and edit them
 * until go-live, their notes, follow them along the board's path as CI reports deployments and checks,
 * answer the gate, decide go-live, and serve the schedule as a calendar feed. Every change is decided
 * under the release's row lock by the pure rules in domain/release*.ts and recorded as a board event
 * with it, so two decisions at once record one outcome and a promotion cannot slip past a stop.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../protocol/model.ts';
import type {
  CreateReleaseInput,
  DeploymentReportInput,
  FeedToken,
  ReadinessInput,
  Release,
  ReleaseRun,
  ReleaseRuns,
  ReleaseScopeInput,
  ReleaseSettings,
  ReleaseSettingsInput,
  UpdateReleaseInput,
  VerdictInput,
} from '../../protocol/releases.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import * as cardWrites from '../cards/writes.ts';
import {
  applyReport,
  approveFirebreak,
  checksOpen,
  type FailedRun,
  type Firebreak,
  goDecision,
  mayDeploy,
  mayGiveVerdict,
  passedChecks,
  type ReadinessItem,
  type Refusal,
  type ReleaseFacts,
  type ReleaseState,
  shadowEnvironment,
  withFirebreak,
} from '../domain/release.ts';
import { decideEdit, onItsWay, releaseForNewCard } from '../domain/release-edit.ts';
import { releaseNotesMarkdown } from '../domain/release-notes.ts';
import {
  checkReleaseSettings,
  checksByEnvironment,
  DEFAULT_RELEASE_SETTINGS,
  type ReleaseSettings as PathSettings,
} from '../domain/release-settings.ts';
import { startHypercare } from '../hypercare/service.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { ReleaseRow } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents, type NewEvent, type RecordEvent } from '../sync/event-log.ts';
import { releaseCalendar } from './calendar.ts';
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
  | 'live'
  | 'edited'
  | 'notes'
  | 'cancelled';

type VerdictRow = Awaited<ReturnType<typeof repo.verdicts>>[number];
type RunRow = Awaited<ReturnType<typeof repo.runs>>[number];
type Trx = Parameters<Parameters<typeof commitWithEvents>[2]>[0];
/** What one change of a release writes (null: nothing, e.g. a redelivered report), decided under its row lock. */
type Decide = (
  trx: Trx,
  row: LockedRelease,
  record: RecordEvent,
) => Promise<{ kind?: ReleaseChangeKind; set?: repo.ReleaseChange; run?: ReleaseRun } | null>;

const PLUGIN_LABEL = /^plugin:(.+)$/;

function toRun(r: RunRow): ReleaseRun {
  return {
    id: r.id,
    environment: r.environment,
    kind: r.kind as ReleaseRun['kind'],
    check: r.check_name,
    runId: r.run_id,
    outcome: r.outcome as ReleaseRun['outcome'],
    url: r.url,
    environmentUrl: r.environment_url,
    reportedAt: r.reported_at.toISOString(),
    reportedBy: r.reported_by ? { userId: r.reported_by, name: r.reporter_name ?? 'a former member' } : null,
    plugin: PLUGIN_LABEL.exec(r.reported_by_label ?? '')?.[1] ?? null,
  };
}

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
    checks: (row.checks ?? {}) as Record<string, string[]>,
    userActions: row.user_actions,
    changeWindow: row.change_window,
    cancelReason: row.cancel_reason,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A release's row as a change sees it: locked, with the checks that have passed on its path. */
type LockedRelease = ReleaseRow & { passedChecks: Record<string, string[]> };

const factsOf = (row: LockedRelease): ReleaseFacts => ({
  state: row.state as ReleaseState,
  environments: row.environments as string[],
  reached: row.reached,
  stop: (row.stop as FailedRun | null) ?? null,
  firebreak: (row.firebreak as Firebreak | null) ?? null,
  checks: (row.checks ?? {}) as Record<string, string[]>,
  passedChecks: row.passedChecks,
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** What `CardService.create` asks of releases, inside the card's transaction (cards/service.ts). */
export interface NewCardInRelease {
  releaseId?: string;
  raisedFrom?: string;
}

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
    const settings = await this.pathSettings(boardId);
    const environments = settings.environments.map((e) => e.name);
    const version = input.version.trim();
    let firebreak: Firebreak | null = null;
    // Left out, the board's default firebreak applies; null asks for none.
    const plan = input.firebreak === undefined ? settings.firebreak : input.firebreak;
    if (plan) {
      const index = environments.indexOf(plan.environment);
      if (index < 0 || index >= environments.length - 1)
        throw invalid(
          'firebreak.environment',
          `a firebreak pauses at an environment before live: one of ${environments.slice(0, -1).join(', ')}`,
        );
      firebreak = {
        environment: plan.environment,
        reason: plan.reason.trim(),
        approvers: [...new Set(plan.approvers)],
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
          environments: JSON.stringify(environments),
          checks: JSON.stringify(checksByEnvironment(settings.environments)),
          firebreak: firebreak ? JSON.stringify(firebreak) : null,
          readiness: JSON.stringify(settings.readiness.map((i) => ({ ...i, done: false }))),
          approvers: JSON.stringify(settings.approvers),
          created_by: actor.userId,
          user_actions: input.userActions?.trim() ?? '',
          change_window: input.changeWindow?.trim() ?? '',
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
        const runRowId = await repo.insertRun(trx, {
          release_id: releaseId,
          environment: input.environment,
          run_id: input.runId,
          kind: input.kind,
          outcome: input.outcome,
          url: input.url ?? null,
          reported_by: actor.userId,
          reported_by_label: actor.userId ? null : actor.label,
          check_name: input.kind === 'check' ? (input.check ?? null) : null,
          environment_url: input.environmentUrl ?? null,
        });
        if (!runRowId) {
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
        // Only the environment's own URL is the shadow's: a run's page (its log) is not where it answers.
        const shadowUrl =
          input.environment === shadowEnvironment(next.environments) &&
          input.kind === 'deployment' &&
          input.outcome === 'success'
            ? input.environmentUrl
            : undefined;
        const [run] = await repo.runs(trx, releaseId, runRowId);
        return {
          kind,
          run: toRun(run!),
          set: {
            state: next.state,
            reached: next.reached,
            stop: next.stop ? JSON.stringify(next.stop) : null,
            ...(shadowUrl ? { shadow_url: shadowUrl } : {}),
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

  /** The deployments and checks reported on a release, in the order they were recorded. */
  async runs(actor: Actor, boardId: string, releaseId: string): Promise<ReleaseRuns> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    if (!(await repo.find(this.db, boardId, releaseId))) throw notFound('release');
    return { releaseId, runs: (await repo.runs(this.db, releaseId)).map(toRun) };
  }

  /** The gate a pipeline asks before deploying: may this release go to this environment now? */
  async gate(actor: Actor, boardId: string, releaseId: string, environment: string) {
    await requireBoardPermission(this.db, actor, boardId, 'release:deploy');
    const found = await repo.find(this.db, boardId, releaseId);
    if (!found) throw notFound('release');
    const facts = factsOf(await this.withPassedChecks(this.db, found));
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
        checksOpen: checksOpen(factsOf(row), shadowEnvironment(row.environments as string[]) ?? ''),
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
    const locked = await repo.lock(trx, boardId, releaseId);
    if (!locked) throw notFound('release');
    const row = await this.withPassedChecks(trx, locked);
    const decided = await decide(trx, row, record);
    if (decided === null) return (await this.withDetails(trx, [row]))[0]!;
    const updated = await repo.update(trx, releaseId, decided.set ?? {});
    const release = (await this.withDetails(trx, [updated]))[0]!;
    await record({
      boardId,
      type: 'release.updated',
      cardId: null,
      actor,
      payload: {
        release,
        change: decided.kind ?? kind,
        previousState: row.state,
        ...(decided.run ? { run: decided.run } : {}),
      },
    });
    return release;
  }

  private async withPassedChecks(db: Parameters<typeof repo.checkResults>[0], row: ReleaseRow) {
    const configured = Object.keys((row.checks ?? {}) as object).length > 0;
    const passed = configured ? passedChecks(await repo.checkResults(db, row.id)) : {};
    return { ...row, passedChecks: passed };
  }

  private async pathSettings(boardId: string): Promise<PathSettings> {
    return (await repo.settings(this.db, boardId)) ?? DEFAULT_RELEASE_SETTINGS;
  }

  // ---- the board's path-to-live settings --------------------------------------------------------

  async getSettings(actor: Actor, boardId: string): Promise<ReleaseSettings> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    const saved = await repo.settings(this.db, boardId);
    return { ...(saved ?? DEFAULT_RELEASE_SETTINGS), custom: saved !== null };
  }

  /**
   * Replaces the board's path-to-live settings. Releases already planned keep the path, checks,
   * policy and checklist they were planned with; the settings apply to releases planned afterwards.
   */
  async putSettings(actor: Actor, boardId: string, input: ReleaseSettingsInput): Promise<ReleaseSettings> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const next: PathSettings = {
      environments: input.environments.map((e) => ({ name: e.name, checks: [...e.checks] })),
      approvers: [...input.approvers],
      readiness: input.readiness.map((i) => ({ key: i.key, label: i.label.trim() })),
      firebreak: input.firebreak
        ? {
            environment: input.firebreak.environment,
            reason: input.firebreak.reason.trim(),
            approvers: [...new Set(input.firebreak.approvers)],
          }
        : null,
    };
    const refusal = checkReleaseSettings(next);
    if (refusal) throw invalid(refusal.field, refusal.message);
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      await repo.saveSettings(trx, boardId, next);
      const settings = { ...next, custom: true };
      await record({
        boardId,
        type: 'release.settings_changed',
        cardId: null,
        actor,
        payload: { settings },
      });
      return settings;
    });
  }

  // ---- editing before go-live -------------------------------------------------------------------

  /**
   * Edits a release's version, date, notes, what users must do and when, or cancels it with a reason;
   * refused once live (409 naming the field). With a revision (body or If-Match), an edit made on an
   * older revision is refused: of two edits on one revision, one wins.
   */
  async edit(
    actor: Actor,
    boardId: string,
    releaseId: string,
    input: UpdateReleaseInput,
    ifMatch?: number,
  ): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    if (ifMatch !== undefined && input.revision !== undefined && ifMatch !== input.revision)
      throw invalid('revision', 'If-Match and the body name different revisions');
    const expected = input.revision ?? ifMatch;
    const { revision: _, ...edit } = input;
    const version = edit.version?.trim();
    return this.change(actor, boardId, releaseId, 'edited', async (trx, row) => {
      const refusal = decideEdit(
        { state: row.state as ReleaseState, revision: row.revision },
        edit,
        expected,
      );
      if (refusal?.field === 'body') throw invalid(refusal.field, refusal.message);
      if (refusal?.field === 'revision')
        throw new AppError('STALE_VERSION', `revision: ${refusal.message}`, {
          field: 'revision',
          revision: row.revision,
        });
      if (refusal) throw conflict(refusal);
      if (version !== undefined && (await repo.versionTaken(trx, boardId, version, releaseId)))
        throw new AppError('CONFLICT', `version: ${version} is already planned on this board`, {
          field: 'version',
        });
      const set: repo.ReleaseChange = {
        ...(version !== undefined ? { version } : {}),
        ...(edit.targetDate !== undefined ? { target_date: edit.targetDate } : {}),
        ...(edit.tag !== undefined ? { tag: edit.tag } : {}),
        ...(edit.commit !== undefined ? { commit_sha: edit.commit?.toLowerCase() ?? null } : {}),
        ...(edit.shadowUrl !== undefined ? { shadow_url: edit.shadowUrl } : {}),
        ...(edit.notes !== undefined ? { notes: edit.notes } : {}),
        ...(edit.userActions !== undefined ? { user_actions: edit.userActions.trim() } : {}),
        ...(edit.changeWindow !== undefined ? { change_window: edit.changeWindow.trim() } : {}),
        ...(edit.cancel ? { state: 'cancelled', cancel_reason: edit.cancel.reason.trim() } : {}),
      };
      return { kind: edit.cancel ? 'cancelled' : 'edited', set };
    }).catch((err: unknown) => {
      // two renames to one version at once: the unique index decides
      if ((err as { code?: string }).code === '23505')
        throw new AppError('CONFLICT', `version: ${version} is already planned on this board`, {
          field: 'version',
        });
      throw err;
    });
  }

  // ---- release notes ----------------------------------------------------------------------------

  /** Release notes generated from the scope (Markdown), without saving them. */
  async notesPreview(actor: Actor, boardId: string, releaseId: string): Promise<string> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    if (!(await repo.find(this.db, boardId, releaseId))) throw notFound('release');
    return releaseNotesMarkdown(await repo.scopeCards(this.db, releaseId));
  }

  /** Generates the notes from the scope into the release's notes (editable afterwards until go-live). */
  async generateNotes(actor: Actor, boardId: string, releaseId: string): Promise<Release> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    return this.change(actor, boardId, releaseId, 'notes', async (trx, row) => {
      const refusal = decideEdit({ state: row.state as ReleaseState, revision: row.revision }, { notes: '' });
      if (refusal) throw conflict(refusal);
      return { set: { notes: releaseNotesMarkdown(await repo.scopeCards(trx, releaseId)) } };
    });
  }

  // ---- the calendar feed ------------------------------------------------------------------------

  /** A new secret feed token for the board's release calendar; the previous one stops working. */
  async rotateFeedToken(actor: Actor, boardId: string): Promise<FeedToken> {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const token = `bbcal_${randomBytes(32).toString('base64url')}`;
    const row = await repo.saveFeedToken(this.db, {
      board_id: boardId,
      token_hash: hashToken(token),
      prefix: token.slice(0, 12),
      created_by: actor.userId,
    });
    return {
      token,
      prefix: row.prefix,
      feedUrl: `/api/boards/${boardId}/releases.ics?token=${encodeURIComponent(token)}`,
      createdAt: row.created_at.toISOString(),
    };
  }

  /**
   * The release schedule as iCalendar. A calendar app cannot sign in, so it sends the board's feed
   * token in the URL; a signed-in caller (session or API token) reads it as any other board route.
   */
  async calendar(
    who: { actor: Actor } | { feedToken: string },
    boardId: string,
    origin: string,
  ): Promise<string> {
    if ('actor' in who) await requireBoardPermission(this.db, who.actor, boardId, 'board:read');
    else if (!(await repo.feedTokenMatches(this.db, boardId, hashToken(who.feedToken))))
      throw new AppError(
        'UNAUTHENTICATED',
        'the feed token is unknown or was replaced; ask for the new feed URL',
        {
          field: 'token',
        },
      );
    const [name, rows] = await Promise.all([repo.boardName(this.db, boardId), repo.list(this.db, boardId)]);
    if (name === undefined) throw notFound('board');
    return releaseCalendar({ boardName: name, origin, releases: await this.withDetails(this.db, rows) });
  }

  // ---- cards that join a release when they are created -----------------------------------------

  /**
   * Before a card's creation, in its transaction: the release it will join, locked and checked (the
   * one named on creation, release:manage; else the release on its way that the card it was raised
   * from travels in). Answers with what to do once the card exists: link it to the card it was raised
   * from, add it to the scope, and record the release's change with the card's.
   */
  async joinNewCard(
    trx: Parameters<Parameters<typeof commitWithEvents>[2]>[0],
    record: RecordEvent,
    actor: Actor,
    boardId: string,
    input: NewCardInRelease,
  ): Promise<(card: { id: string }) => Promise<void>> {
    if (input.releaseId) await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const named = input.releaseId ? await repo.lock(trx, boardId, input.releaseId) : undefined;
    if (input.releaseId && !named) throw invalid('releaseId', 'no such release on this board');
    const from = input.raisedFrom ? await repo.cardOnBoard(trx, boardId, input.raisedFrom) : undefined;
    if (input.raisedFrom && !from) throw invalid('raisedFrom', 'no such card on this board');
    const travelsIn = from ? await repo.lockReleaseOfCard(trx, boardId, from.id) : undefined;
    const joining = releaseForNewCard({
      named: named ? { id: named.id, state: named.state as ReleaseState } : null,
      raisedFrom: travelsIn ? { id: travelsIn.id, state: travelsIn.state as ReleaseState } : null,
    });
    if (joining && 'refusal' in joining) throw conflict(joining.refusal);
    return async (card) => {
      if (from) await cardWrites.linkCards(trx, record, actor, boardId, card, from, 'relates_to');
      if (!joining) return;
      await repo.addCards(trx, joining.releaseId, [card.id]);
      const [release] = await this.withDetails(trx, [await repo.update(trx, joining.releaseId, {})]);
      await record({
        boardId,
        type: 'release.updated',
        cardId: null,
        actor,
        payload: { release: release!, change: 'scope' },
      });
    };
  }

  private async withDetails(db: Parameters<typeof repo.scopes>[0], rows: ReleaseRow[]): Promise<Release[]> {
    return withDetails(db, rows);
  }
}

async function withDetails(db: Parameters<typeof repo.scopes>[0], rows: ReleaseRow[]): Promise<Release[]> {
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

/**
 * A ticket a plugin raised naming the release it belongs to (by version, tag or commit, as CI names
 * it) joins that release's scope while it is on its way, in the ticket's transaction, with the
 * release's `scope` change as a board event. The caller (the plugin host) acts for a plugin installed
 * on the board. A release that is live, cancelled or unknown is left alone: null.
 */
export async function joinNamedRelease(
  trx: Trx,
  record: (event: NewEvent) => Promise<unknown>,
  actor: Actor,
  boardId: string,
  match: repo.ReleaseRef,
  cardId: string,
): Promise<Release | null> {
  const found = await repo.findByRef(trx, boardId, match);
  const row = found ? await repo.lock(trx, boardId, found.id) : undefined;
  if (!row || !onItsWay(row.state as ReleaseState)) return null;
  const travelsIn = await repo.cardsOnBoard(trx, boardId, [cardId]);
  if (travelsIn[0]?.release_id) return null; // already in a release (a live one's hyper-care took it)
  await repo.addCards(trx, row.id, [cardId]);
  const [release] = await withDetails(trx, [await repo.update(trx, row.id, {})]);
  await record({
    boardId,
    type: 'release.updated',
    cardId: null,
    actor,
    payload: { release: release!, change: 'scope', previousState: row.state },
  });
  return release!;
}
