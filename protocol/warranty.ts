/**
 * Warranty requirements (issue 17): a release's non-functional acceptance criteria (availability,
 * capacity, continuity, security, performance), each a statement with a measurable target, shown on
 * the go/no-go checklist and checked against what hyper-care measured. The rules (met / not met / not
 * measured, the suggested availability) are in server/domain/warranty.ts.
 */
import { type Static, type TEnum, Type } from 'typebox';
import { Nullable, Uuid } from './model.ts';

const oneOf = <const T extends readonly string[]>(values: T): TEnum<[...T]> =>
  Type.Enum([...values], { description: values.join(' | ') }) as TEnum<[...T]>;

export const WARRANTY_CATEGORIES = [
  'availability',
  'capacity',
  'continuity',
  'security',
  'performance',
] as const;
export type WarrantyCategory = (typeof WARRANTY_CATEGORIES)[number];
/** gte: the measure must be at least the target (availability ≥ 99.9 %); lte: at most (p95 ≤ 300 ms). */
export const WARRANTY_COMPARISONS = ['gte', 'lte'] as const;
export type WarrantyComparison = (typeof WARRANTY_COMPARISONS)[number];
export const WARRANTY_STATUSES = ['met', 'not_met', 'not_measured'] as const;
export type WarrantyStatus = (typeof WARRANTY_STATUSES)[number];

const Measure = Type.Number({ minimum: -1e12, maximum: 1e12 });
const Unit = Type.String({
  minLength: 1,
  maxLength: 20,
  pattern: '\\S',
  description: 'e.g. %, ms, h, users',
});

export const WarrantyTargetSchema = Type.Object({
  comparison: oneOf(WARRANTY_COMPARISONS),
  value: Measure,
  unit: Unit,
});
export type WarrantyTarget = Static<typeof WarrantyTargetSchema>;

export const WarrantyMeasurementSchema = Type.Object({
  value: Type.Number(),
  measuredAt: Type.String({ format: 'date-time' }),
  by: Type.Object({ id: Nullable(Uuid), label: Type.String() }),
  note: Type.String(),
  recordedAt: Type.String({ format: 'date-time' }),
});
export type WarrantyMeasurement = Static<typeof WarrantyMeasurementSchema>;

export const WarrantyRequirementSchema = Type.Object({
  id: Uuid,
  releaseId: Uuid,
  category: oneOf(WARRANTY_CATEGORIES),
  statement: Type.String(),
  target: WarrantyTargetSchema,
  /** newest measurement first; the first one decides the status */
  measurements: Type.Array(WarrantyMeasurementSchema),
  suggested: Nullable(
    Type.Object(
      { value: Type.Number(), basis: Type.String() },
      {
        description: 'a measure hyper-care data gives directly (availability from linked outages), to record',
      },
    ),
  ),
  status: oneOf(WARRANTY_STATUSES),
  createdAt: Type.String({ format: 'date-time' }),
});
export type WarrantyRequirement = Static<typeof WarrantyRequirementSchema>;

export const WarrantySchema = Type.Object({
  releaseId: Uuid,
  requirements: Type.Array(WarrantyRequirementSchema),
  summary: Type.Object({ met: Type.Integer(), notMet: Type.Integer(), notMeasured: Type.Integer() }),
  revision: Type.Integer({ description: 'bumped by every change of the release warranty' }),
});
export type Warranty = Static<typeof WarrantySchema>;

export const WarrantyRequirementBody = Type.Object(
  {
    category: oneOf(WARRANTY_CATEGORIES),
    statement: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
    comparison: oneOf(WARRANTY_COMPARISONS),
    value: Measure,
    unit: Unit,
  },
  { additionalProperties: false },
);
export type WarrantyRequirementInput = Static<typeof WarrantyRequirementBody>;

export const WarrantyMeasurementBody = Type.Object(
  {
    value: Measure,
    measuredAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'when measured; now if left out' }),
    ),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type WarrantyMeasurementInput = Static<typeof WarrantyMeasurementBody>;
