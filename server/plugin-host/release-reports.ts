/**
 * Deployment and check runs a plugin reports on a release (ctx.releases.report), applied in the
 * delivery's transaction through the release service's own write path (ReleaseService.reportWithin),
 * attributed to `plugin:<id>`: the same rules, stop, defect and dedup as a report over HTTP. What
 * cannot be applied (no release matches, an environment not on the path, a report the path refuses)
 * is recorded in the delivery log as ignored with the reason: it is an answer, not an error, so it
 * is neither retried nor a 5xx.
 */
import type { Transaction } from 'kysely';
import {
  type ActionResult,
  boardEnvironment,
  describeMatch,
  type ReleaseReport,
} from '../../protocol/plugin.ts';
import type { FlagService } from '../flags/service.ts';
import { AppError } from '../infra/errors.ts';
import type { Database } from '../infra/schema.ts';
import * as releaseRepo from '../releases/repo.ts';
import type { ReleaseService } from '../releases/service.ts';
import type { RecordEvent } from '../sync/event-log.ts';
import { pluginActor } from './apply.ts';

/** The part of the release service the host uses. */
export type ReleaseReporter = Pick<ReleaseService, 'reportWithin'>;
/** Refuses when a feature flag is off on the board (FlagService.requireEnabled). */
export type FeatureCheck = Pick<FlagService, 'requireEnabled'>;

export interface ReleaseReportScope {
  boardId: string;
  pluginId: string;
  /** releases sit behind the `releases` flag: off on the board, a report is recorded as not applied */
  flags?: FeatureCheck;
  /** the installation's config: its `environments` map names the board's environments */
  config: unknown;
}

const OP = 'release.report';

export async function applyReleaseReports(
  trx: Transaction<Database>,
  record: RecordEvent,
  releases: ReleaseReporter | undefined,
  scope: ReleaseReportScope,
  reports: readonly ReleaseReport[],
): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  let off: string | null = null;
  if (reports.length > 0 && scope.flags) {
    off = await scope.flags
      .requireEnabled(pluginActor(scope.pluginId), scope.boardId, 'releases', 'releases')
      .then(
        () => null,
        (err: unknown) => (err instanceof AppError ? err.message : Promise.reject(err)),
      );
  }
  for (const report of reports) {
    const ignored = (message: string) => results.push({ op: OP, result: 'ignored', message });
    if (!releases || off) {
      ignored(off ?? 'releases are not available on this server');
      continue;
    }
    const row = await releaseRepo.findByRef(trx, scope.boardId, report.match);
    if (!row) {
      ignored(`no release on its way matches ${describeMatch(report.match)}`);
      continue;
    }
    const environment = boardEnvironment(scope.config, report.environment);
    const path = row.environments as string[];
    if (!path.includes(environment)) {
      ignored(
        `release ${row.version}: environment "${report.environment}" is not on this board's path (${path.join(', ')}); map it in the installation's "environments" config`,
      );
      continue;
    }
    const run = `${report.kind} ${report.runId} ${report.outcome === 'success' ? 'succeeded' : 'failed'} in ${environment}`;
    const answer = await releases.reportWithin(
      trx,
      record,
      pluginActor(scope.pluginId),
      scope.boardId,
      row.id,
      {
        environment,
        runId: report.runId,
        kind: report.kind,
        outcome: report.outcome,
        ...(report.url ? { url: report.url } : {}),
        ...(report.environmentUrl ? { environmentUrl: report.environmentUrl } : {}),
      },
    );
    if ('refusal' in answer) {
      ignored(`release ${row.version}: ${run}, not recorded: ${answer.refusal.message}`);
      continue;
    }
    const { release } = answer;
    results.push(
      answer.duplicate
        ? { op: OP, result: 'unchanged', message: `release ${row.version}: ${run} was already recorded` }
        : {
            op: OP,
            result: 'updated',
            message: `release ${release.version}: ${run}${release.state === 'stopped' && report.outcome === 'failure' ? '; the line is stopped' : ''} (now ${release.state})`,
          },
    );
  }
  return results;
}
