/**
 * The label of a dataset: the spec's target column, or the target's SQL definition when the column is
 * not stored (flights carry `delay`, and the spec defines `delayed` as `delay > 15`).
 */
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { DatasetSpec } from '../problem/spec-schema.js';

export interface TargetResolution {
  /** The target's name in the spec. */
  column: string;
  /** A SQL expression that computes the label for each row. */
  sql: string;
  from: 'column' | 'definition';
  /** True when the user named this target for this dataset, so its absence is an error. */
  required: boolean;
}

/** The target a dataset should have: explicit (flag or spec per dataset), the spec's, or none. */
export function expectedTarget(
  spec: DataSpec | undefined,
  datasetSpec: DatasetSpec | undefined,
  explicit?: string,
): { column: string; required: boolean } | undefined {
  if (explicit !== undefined) return { column: explicit, required: true };
  const declared = datasetSpec?.target;
  if (declared === false) return undefined;
  if (typeof declared === 'string') return { column: declared, required: true };
  return spec?.target === undefined ? undefined : { column: spec.target.column, required: false };
}

/** DuckDB's errors for SQL that cannot bind to a table (unknown column or function, bad syntax), not for I/O. */
const DEFINITION_MISFITS = /^(Binder|Parser|Catalog) Error/;

/**
 * Resolves the target against a table's columns: the column itself, else the spec's definition if DuckDB
 * can evaluate it there. Undefined when neither works.
 */
export async function resolveTarget(
  engine: AnalyticsEngine,
  table: string,
  columns: readonly string[],
  expected: { column: string; required: boolean },
  spec: DataSpec | undefined,
): Promise<TargetResolution | undefined> {
  if (columns.includes(expected.column)) return { column: expected.column, sql: quoteIdentifier(expected.column), from: 'column', required: expected.required };
  const definition = spec?.target?.column === expected.column ? spec.target.definition : undefined;
  if (definition === undefined) return undefined;
  try {
    await engine.describe(`SELECT (${definition}) FROM ${table}`);
  } catch (error) {
    // Only a definition that does not fit these columns means "no target"; an unreadable table is a failure.
    if (error instanceof Error && DEFINITION_MISFITS.test(error.message)) return undefined;
    throw error;
  }
  return { column: expected.column, sql: `(${definition})`, from: 'definition', required: expected.required };
}
