/**
 * Type overrides from `mlcycle.yaml` (and the time column, which must hold times): which columns to cast
 * when storing, and a check that every value fits before anything is written.
 */
import { MlcycleError, type InputIssue } from '../error.js';
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { SemanticType } from '../store/dataset-store.js';
import { findLineOfValue } from './source-lines.js';
import { isIntegerStorage, isNumericStorage, isTemporalStorage } from './semantic-types.js';

/** A column to store under another storage type. */
export interface ColumnCast {
  column: string;
  semanticType: SemanticType;
  /** The DuckDB type to cast to. */
  storageType: string;
  /** A SQL condition that is true for a non-null value that does not fit. */
  misfit: string;
  /** Where the demand comes from, for the error message. */
  origin: string;
}

/** The cast a semantic type needs on a column of a storage type, if any. */
export function castFor(column: string, storageType: string, semanticType: SemanticType, origin: string): ColumnCast | undefined {
  const name = quoteIdentifier(column);
  const cast = (target: string, misfit: string): ColumnCast => ({ column, semanticType, storageType: target, misfit: `(${name} IS NOT NULL AND (${misfit}))`, origin });
  switch (semanticType) {
    case 'numeric':
      return isNumericStorage(storageType) ? undefined : cast('DOUBLE', `TRY_CAST(${name} AS DOUBLE) IS NULL`);
    case 'integer':
      if (isIntegerStorage(storageType)) return undefined;
      return cast('BIGINT', `TRY_CAST(${name} AS DOUBLE) IS NULL OR TRY_CAST(${name} AS DOUBLE) <> floor(TRY_CAST(${name} AS DOUBLE))`);
    case 'boolean':
      if (storageType === 'BOOLEAN') return undefined;
      if (isNumericStorage(storageType)) return cast('BOOLEAN', `${name} NOT IN (0, 1)`);
      return cast('BOOLEAN', `TRY_CAST(${name} AS BOOLEAN) IS NULL`);
    case 'datetime':
      return isTemporalStorage(storageType) ? undefined : cast('TIMESTAMP', `TRY_CAST(${name} AS TIMESTAMP) IS NULL`);
    default:
      return undefined;
  }
}

/** Fails with every misfit at once, each with an example value and, for CSV files, its line. */
export async function checkCastsFit(
  engine: AnalyticsEngine,
  table: string,
  casts: readonly ColumnCast[],
  file: { path: string; label: string; delimiter?: string; csv: boolean },
): Promise<void> {
  if (casts.length === 0) return;
  const select = casts.flatMap((cast, index) => [
    `count(*) FILTER (WHERE ${cast.misfit}) AS "bad${index}"`,
    `any_value(${quoteIdentifier(cast.column)}::VARCHAR) FILTER (WHERE ${cast.misfit}) AS "example${index}"`,
  ]);
  const [row] = await engine.query(`SELECT ${select.join(', ')} FROM ${table}`);
  const issues: InputIssue[] = [];
  for (const [index, cast] of casts.entries()) {
    const bad = Number(row?.[`bad${index}`] ?? 0);
    if (bad === 0) continue;
    const example = String(row?.[`example${index}`]);
    const line = file.csv ? await findLineOfValue(file.path, cast.column, example, file.delimiter) : undefined;
    issues.push({
      file: file.label,
      ...(line === undefined ? {} : { line }),
      path: cast.column,
      message: `${bad} value(s) do not fit ${cast.semanticType} (${cast.origin}), e.g. ${JSON.stringify(example)}`,
    });
  }
  if (issues.length > 0) {
    throw new MlcycleError('invalid_input', `${file.label}: ${issues.length} column(s) do not fit their declared type; nothing was registered`, { issues });
  }
}
