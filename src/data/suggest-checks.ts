/**
 * Check suggestions from the data, after Deequ's constraint suggestion rules (awslabs/deequ,
 * `suggestions/rules`): CompleteIfCompleteRule (not-null when no value is missing),
 * CategoricalRangeRule (allowed values when the column has few distinct values: here at most 50 and at
 * most 10% of its values), UniqueIfApproximatelyUniqueRule (unique for identifiers), and ranges for
 * numbers. Deequ suggests non-negativity for numbers; we suggest a range: the observed minimum and maximum,
 * widened by 10% of the span between the 0.1% and 99.9% quantiles on each side (kept at or above 0 when no
 * value is negative), so that the data it came from passes and a later month's passes unless it really
 * moved; the quantiles keep one wild outlier from setting the margin.
 */
import type { DataCheck } from '../problem/spec-schema.js';
import { quoteIdentifier, type AnalyticsEngine } from '../store/analytics.js';
import type { DatasetVersion } from '../store/dataset-store.js';

export const CATEGORICAL_MAX_DISTINCT = 50;
export const CATEGORICAL_MAX_RATIO = 0.1;

export interface CheckSuggestion {
  check: DataCheck;
  why: string;
}

/** Suggests checks for one version. */
export async function suggestChecks(engine: AnalyticsEngine, table: string, version: DatasetVersion): Promise<CheckSuggestion[]> {
  const suggestions: CheckSuggestion[] = [];
  for (const column of version.columns) {
    if (column.nonNull === version.rowCount) {
      suggestions.push({ check: { check: 'not-null', column: column.name, severity: 'error' }, why: 'no value is missing' });
    }
    const type = column.semanticType;
    if (type === 'identifier') {
      suggestions.push({ check: { check: 'unique', columns: [column.name], severity: 'error' }, why: `${column.distinct} distinct values in ${column.nonNull}: an identifier` });
      continue;
    }
    const few = column.distinct <= CATEGORICAL_MAX_DISTINCT && column.distinct <= CATEGORICAL_MAX_RATIO * column.nonNull;
    if ((type === 'categorical' || type === 'boolean' || type === 'integer') && few && column.distinct > 0) {
      const rows = await engine.query(`SELECT DISTINCT ${quoteIdentifier(column.name)} AS v FROM ${table} WHERE ${quoteIdentifier(column.name)} IS NOT NULL ORDER BY 1`);
      const values = rows.map((row) => (typeof row.v === 'number' || typeof row.v === 'boolean' ? row.v : String(row.v)));
      suggestions.push({
        check: { check: 'allowed-values', column: column.name, values, severity: 'error' },
        why: `${column.distinct} distinct values (unique-value ratio ${(column.distinct / column.nonNull).toFixed(4)})`,
      });
      continue;
    }
    if (type === 'numeric' || type === 'integer') {
      const name = quoteIdentifier(column.name);
      const [row] = await engine.query(
        `SELECT quantile_cont(${name}, 0.001) AS lo, quantile_cont(${name}, 0.999) AS hi, min(${name}) AS low, max(${name}) AS high FROM ${table}`,
      );
      const [lo, hi, low, high] = [Number(row?.lo), Number(row?.hi), Number(row?.low), Number(row?.high)];
      if (![lo, hi, low, high].every(Number.isFinite)) continue;
      const pad = 0.1 * (hi - lo);
      let min = low - pad;
      let max = high + pad;
      if (low >= 0) min = Math.max(0, min);
      if (type === 'integer') {
        min = Math.floor(min);
        max = Math.ceil(max);
      } else {
        // Six significant digits, rounded outwards so that the observed extremes stay inside.
        min = Math.min(low, Number(min.toPrecision(6)));
        max = Math.max(high, Number(max.toPrecision(6)));
      }
      suggestions.push({
        check: { check: 'range', column: column.name, min, max, severity: 'error' },
        why: `observed ${low} to ${high}, widened by 10% of the 0.1%-99.9% quantile span (${Number(lo.toPrecision(6))} to ${Number(hi.toPrecision(6))})`,
      });
    }
  }
  return suggestions;
}
