/**
 * Alerts on a profile, with ydata-profiling's rules and default thresholds (configurable under
 * `exploration.alerts` in mlcycle.yaml): constant columns, high cardinality (categories over 50
 * distinct), high missing share, many zeros, skew, imbalance (1 - normalised entropy of the category
 * shares, over 0.5), duplicate rows, high correlation, identifiers, and the leak suspects of the
 * data-gathering stage.
 */
import type { FeasibilityFacts } from '../data/feasibility.js';
import type { AlertThresholds } from '../problem/spec-schema.js';
import type { Alert, ColumnProfile, Correlation } from './profile-types.js';

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  highCardinality: 50,
  highMissing: 0.01,
  manyZeros: 0.01,
  skewed: 20,
  imbalance: 0.5,
  duplicates: 0.01,
  highCorrelation: 0.9,
};

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

/** 1 - H(p) / log(k): 0 for equal shares, near 1 when one value dominates. */
export function imbalance(counts: readonly number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (counts.length < 2 || total === 0) return 0;
  let entropy = 0;
  for (const count of counts) if (count > 0) entropy -= (count / total) * Math.log(count / total);
  return 1 - entropy / Math.log(counts.length);
}

/** The alerts of a profile under the given thresholds. */
export function findAlerts(
  columns: readonly ColumnProfile[],
  correlations: readonly Correlation[],
  facts: FeasibilityFacts,
  thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): Alert[] {
  const alerts: Alert[] = [];
  for (const column of columns) {
    const nonMissing = column.count - column.missing;
    if (column.distinct === 1) alerts.push({ kind: 'constant', columns: [column.name], message: `${column.name} has one value`, value: 1 });
    if (column.semanticType === 'categorical' && column.distinct > thresholds.highCardinality) {
      alerts.push({ kind: 'high-cardinality', columns: [column.name], message: `${column.name} has ${column.distinct} distinct values`, value: column.distinct });
    }
    if (column.missingShare > thresholds.highMissing) {
      alerts.push({ kind: 'high-missing', columns: [column.name], message: `${column.name} is ${percent(column.missingShare)} missing`, value: column.missingShare });
    }
    if (column.numeric !== undefined && nonMissing > 0) {
      const zeros = column.numeric.zeros / nonMissing;
      if (zeros > thresholds.manyZeros) alerts.push({ kind: 'many-zeros', columns: [column.name], message: `${column.name} is ${percent(zeros)} zeros`, value: zeros });
      const skew = column.numeric.skewness;
      if (skew !== null && Math.abs(skew) > thresholds.skewed) {
        alerts.push({ kind: 'skewed', columns: [column.name], message: `${column.name} is skewed (${skew.toFixed(1)})`, value: skew });
      }
    }
    if (column.categorical !== undefined && column.distinct <= thresholds.highCardinality) {
      const counts = column.categorical.top.map((item) => item.count);
      if (column.categorical.otherCount > 0) counts.push(column.categorical.otherCount);
      const measured = imbalance(counts);
      if (measured > thresholds.imbalance) {
        alerts.push({ kind: 'imbalance', columns: [column.name], message: `${column.name} is imbalanced (${measured.toFixed(2)})`, value: measured });
      }
    }
    if (column.semanticType === 'identifier') {
      alerts.push({ kind: 'identifier', columns: [column.name], message: `${column.name} looks like an identifier (${column.distinct} distinct of ${nonMissing})`, value: column.distinct });
    }
  }
  const duplicates = facts.rows === 0 ? 0 : facts.duplicateRows / facts.rows;
  if (duplicates > thresholds.duplicates) {
    alerts.push({ kind: 'duplicates', columns: [], message: `${percent(duplicates)} of rows are duplicates`, value: duplicates });
  }
  for (const correlation of correlations) {
    if (Math.abs(correlation.value) > thresholds.highCorrelation) {
      alerts.push({
        kind: 'high-correlation',
        columns: [correlation.a, correlation.b],
        message: `${correlation.a} and ${correlation.b} are highly correlated (${correlation.method} ${correlation.value.toFixed(2)})`,
        value: correlation.value,
      });
    }
  }
  for (const suspect of facts.leakSuspects) {
    alerts.push({ kind: 'leak', columns: [suspect.column], message: `${suspect.column} is a suspected leak: ${suspect.reasons.join('; ')}`, value: null });
  }
  return alerts;
}
