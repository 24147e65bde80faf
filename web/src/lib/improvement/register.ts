/**
 * The improvement register as the panel shows it, pure: filters by status and due quarter, the
 * quarters to offer, the status words, where an item may go next (the server rules on each move), and
 * merging by revision so a late answer never undoes a newer event.
 */
import type {
  ImprovementItem,
  ImprovementStatus,
  Review,
  ReviewWarranty,
} from '../../../../protocol/improvement.ts';

export const STATUS_LABEL: Record<ImprovementStatus, string> = {
  proposed: 'Proposed',
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
  dropped: 'Dropped',
};

/** The moves offered from each status (server/domain/improvement.ts NEXT_STATUSES decides). */
export const NEXT: Record<ImprovementStatus, ImprovementStatus[]> = {
  proposed: ['planned', 'dropped'],
  planned: ['in_progress', 'proposed', 'dropped'],
  in_progress: ['done', 'planned', 'dropped'],
  done: [],
  dropped: [],
};
export const closes = (s: ImprovementStatus) => s === 'done' || s === 'dropped';

/** 'open' = not done or dropped; '' = every status. */
export type StatusFilter = ImprovementStatus | 'open' | '';

export function filterItems(
  items: readonly ImprovementItem[],
  status: StatusFilter,
  quarter: string,
): ImprovementItem[] {
  return items.filter(
    (i) =>
      (status === '' || (status === 'open' ? !closes(i.status) : i.status === status)) &&
      (quarter === '' || (quarter === 'none' ? i.dueQuarter === null : i.dueQuarter === quarter)),
  );
}

/** The due quarters the register holds, soonest first. */
export const quartersOf = (items: readonly ImprovementItem[]) =>
  [...new Set(items.map((i) => i.dueQuarter).filter((q): q is string => q !== null))].sort();

/** Keeps the newer of the held and the arriving (by revision); new ones join in number order. */
export function upsertItem(list: readonly ImprovementItem[], item: ImprovementItem): ImprovementItem[] {
  const held = list.find((i) => i.id === item.id);
  if (held && held.revision > item.revision) return list as ImprovementItem[];
  const next = held ? list.map((i) => (i.id === item.id ? item : i)) : [...list, item];
  return next.sort((a, b) => a.number - b.number);
}

/** Reviews newest first by day; a held one's revision rules as items' do. */
export function upsertReview(list: readonly Review[], review: Review): Review[] {
  const held = list.find((r) => r.id === review.id);
  if (held && held.revision > review.revision) return list as Review[];
  const next = held ? list.map((r) => (r.id === review.id ? review : r)) : [review, ...list];
  return next.sort(
    (a, b) => b.scheduledOn.localeCompare(a.scheduledOn) || b.createdAt.localeCompare(a.createdAt),
  );
}

/** "40 min → 5 min", or the text when there are no numbers. */
export function measure(m: { text: string; value: number | null }, unit: string): string {
  const n = m.value === null ? '' : `${m.value}${unit ? ` ${unit}` : ''}`;
  if (n && m.text) return `${n} (${m.text})`;
  return n || m.text || '–';
}

/** The quarter today is in and the next three, for the due-quarter picker. */
export function nextQuarters(today: Date, count = 6): string[] {
  let year = today.getUTCFullYear();
  let q = Math.floor(today.getUTCMonth() / 3) + 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`${year}-Q${q}`);
    q += 1;
    if (q > 4) {
      q = 1;
      year += 1;
    }
  }
  return out;
}

/** The fields an item raised from a warranty requirement not met starts with. */
export interface ItemPrefill {
  title: string;
  baselineText: string;
  baselineValue: number | null;
  targetText: string;
  targetValue: number;
  unit: string;
  releaseIds: string[];
}

type CheckedRelease = ReviewWarranty['releases'][number];

/** The comparison as a reader says it: ≥ 99.9 %. */
export const targetText = (t: CheckedRelease['requirements'][number]['target']) =>
  `${t.comparison === 'gte' ? '≥' : '≤'} ${t.value} ${t.unit}`;

/** Raised from a requirement not met: the measurement is the baseline, the requirement the target. */
export function prefillFromWarranty(
  release: Pick<CheckedRelease, 'releaseId' | 'version'>,
  r: CheckedRelease['requirements'][number],
): ItemPrefill {
  return {
    title: `Warranty not met in ${release.version}: ${r.statement}`.slice(0, 200),
    baselineText: r.measured
      ? `${r.measured.value} ${r.target.unit} measured in hyper-care (${r.measured.measuredAt.slice(0, 10)})`
      : 'not measured',
    baselineValue: r.measured?.value ?? null,
    targetText: `${r.category}: ${targetText(r.target)}`,
    targetValue: r.target.value,
    unit: r.target.unit,
    releaseIds: [release.releaseId],
  };
}
