/**
 * Warranty requirements of a release (issue 17): its non-functional acceptance criteria, set while
 * the release is planned (the go/no-go checklist shows them), and the measurements the team records
 * against them during and after hyper-care. Each change is made under the release's row lock and the
 * warranty's revision row, and recorded as one `warranty.updated` board event in its transaction.
 * Whether a requirement is met, and the availability hyper-care suggests, are the pure rules of
 * domain/warranty.ts.
 */
import type { Transaction } from 'kysely';
import type {
  Warranty,
  WarrantyMeasurementInput,
  WarrantyRequirement,
  WarrantyRequirementInput,
} from '../../protocol/warranty.ts';
import { type Actor, requireBoardPermission } from '../access/board-access.ts';
import { assess, checkTarget, latest, suggestedMeasure, summarise } from '../domain/warranty.ts';
import type { Db } from '../infra/database.ts';
import { AppError, invalid, notFound } from '../infra/errors.ts';
import type { Database } from '../infra/schema.ts';
import { type BoardEventBus, commitWithEvents } from '../sync/event-log.ts';
import * as hypercareRepo from './repo.ts';
import * as repo from './warranty-repo.ts';

type Trx = Transaction<Database>;

/** A release carries at most this many warranty requirements. */
export const MAX_REQUIREMENTS = 30;

/** The warranty as it is now: each requirement with its measurements, status and suggestion. */
export async function readWarranty(db: Db | Trx, releaseId: string, now: Date): Promise<Warranty> {
  const [rows, revision, care] = await Promise.all([
    repo.requirements(db, releaseId),
    repo.revision(db, releaseId),
    hypercareRepo.find(db, releaseId),
  ]);
  const measured = await repo.measurements(
    db,
    rows.map((r) => r.id),
  );
  const until = care ? (care.exited_at ?? now) : null;
  const needsOutages = care && rows.some((r) => r.category === 'availability');
  const facts =
    care && until && needsOutages
      ? {
          startedAt: care.started_at,
          until,
          outageSeconds: await repo.outageSeconds(db, releaseId, care.started_at, until),
        }
      : null;
  const requirements: WarrantyRequirement[] = rows.map((r) => {
    const measurements = measured
      .filter((m) => m.requirement_id === r.id)
      .map((m) => ({
        value: m.value,
        measuredAt: m.measured_at.toISOString(),
        by: { id: m.by_user_id, label: m.by_label },
        note: m.note,
        recordedAt: m.recorded_at.toISOString(),
      }));
    const current = latest(measurements);
    const target = {
      comparison: r.comparison as WarrantyRequirement['target']['comparison'],
      value: r.target_value,
      unit: r.unit,
    };
    const category = r.category as WarrantyRequirement['category'];
    return {
      id: r.id,
      releaseId,
      category,
      statement: r.statement,
      target,
      measurements: current ? [current, ...measurements.filter((m) => m !== current)] : measurements,
      suggested: suggestedMeasure({ category, target }, facts),
      status: assess(target, current?.value ?? null),
      createdAt: r.created_at.toISOString(),
    };
  });
  return { releaseId, requirements, summary: summarise(requirements.map((r) => r.status)), revision };
}

function values(input: WarrantyRequirementInput): repo.RequirementValues {
  const refusal = checkTarget(input.category, {
    comparison: input.comparison,
    value: input.value,
    unit: input.unit.trim(),
  });
  if (refusal) throw invalid(refusal.field, refusal.message);
  return {
    category: input.category,
    statement: input.statement.trim(),
    comparison: input.comparison,
    target_value: input.value,
    unit: input.unit.trim(),
  };
}

export class WarrantyService {
  constructor(
    private readonly db: Db,
    private readonly bus: BoardEventBus,
  ) {}

  async get(actor: Actor, boardId: string, releaseId: string): Promise<Warranty> {
    await requireBoardPermission(this.db, actor, boardId, 'board:read');
    if (!(await hypercareRepo.release(this.db, boardId, releaseId))) throw notFound('release');
    return readWarranty(this.db, releaseId, new Date());
  }

  async add(actor: Actor, boardId: string, releaseId: string, input: WarrantyRequirementInput) {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const v = values(input);
    return this.change(actor, boardId, releaseId, 'added', 'criteria', async (trx) => {
      if ((await repo.countRequirements(trx, releaseId)) >= MAX_REQUIREMENTS)
        throw new AppError(
          'CONFLICT',
          `statement: a release carries at most ${MAX_REQUIREMENTS} requirements`,
          {
            field: 'statement',
          },
        );
      await repo.insertRequirement(trx, releaseId, v);
    });
  }

  async update(
    actor: Actor,
    boardId: string,
    releaseId: string,
    requirementId: string,
    input: WarrantyRequirementInput,
  ) {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    const v = values(input);
    return this.change(actor, boardId, releaseId, 'changed', 'criteria', async (trx) => {
      if (!(await repo.requirement(trx, releaseId, requirementId))) throw notFound('warranty requirement');
      await repo.updateRequirement(trx, requirementId, v);
    });
  }

  async remove(actor: Actor, boardId: string, releaseId: string, requirementId: string) {
    await requireBoardPermission(this.db, actor, boardId, 'release:manage');
    return this.change(actor, boardId, releaseId, 'removed', 'criteria', async (trx) => {
      if (!(await repo.requirement(trx, releaseId, requirementId))) throw notFound('warranty requirement');
      await repo.deleteRequirement(trx, requirementId);
    });
  }

  /** What the team measured against one requirement, once the release is live (during or after hyper-care). */
  async measure(
    actor: Actor,
    boardId: string,
    releaseId: string,
    requirementId: string,
    input: WarrantyMeasurementInput,
  ) {
    await requireBoardPermission(this.db, actor, boardId, 'hypercare:work');
    const now = new Date();
    const at = input.measuredAt ? new Date(input.measuredAt) : now;
    if (Number.isNaN(at.getTime())) throw invalid('measuredAt', 'must be a date-time');
    if (at.getTime() > now.getTime() + 60_000) throw invalid('measuredAt', 'is in the future');
    return this.change(actor, boardId, releaseId, 'measured', 'measurement', async (trx) => {
      const care = await hypercareRepo.find(trx, releaseId);
      if (!care)
        throw new AppError('CONFLICT', 'state: the release is not live: nothing to measure yet', {
          field: 'state',
        });
      if (at < care.started_at) throw invalid('measuredAt', 'is before hyper-care started');
      if (!(await repo.requirement(trx, releaseId, requirementId))) throw notFound('warranty requirement');
      await repo.insertMeasurement(trx, {
        requirement_id: requirementId,
        value: input.value,
        measured_at: at,
        by_user_id: actor.userId,
        by_label: actor.label,
        note: input.note?.trim() ?? '',
      });
    });
  }

  /**
   * One change under the release's lock: criteria change only while the release is planned (they are
   * what the go/no-go agreed to); measurements only once it is live.
   */
  private async change(
    actor: Actor,
    boardId: string,
    releaseId: string,
    change: 'added' | 'changed' | 'removed' | 'measured',
    what: 'criteria' | 'measurement',
    work: (trx: Trx) => Promise<void>,
  ): Promise<Warranty> {
    return commitWithEvents(this.db, this.bus, async (trx, record) => {
      const release = await repo.lockReleaseState(trx, boardId, releaseId);
      if (!release) throw notFound('release');
      if (what === 'criteria' && (release.state === 'live' || release.state === 'cancelled'))
        throw new AppError(
          'CONFLICT',
          `state: the release is ${release.state}: its warranty requirements are settled`,
          { field: 'state' },
        );
      await repo.bump(trx, releaseId);
      await work(trx);
      const warranty = await readWarranty(trx, releaseId, new Date());
      await record({ boardId, type: 'warranty.updated', cardId: null, actor, payload: { warranty, change } });
      return warranty;
    });
  }
}
