/**
 * The survey's comparison table: each reference's reported metrics beside the best of our runs linked to
 * it. Best means highest, except for metrics whose name says lower is better (error, loss, RMSE, MAE...).
 */
import type { ReferenceRecord } from '../store/reference-store.js';

export interface ComparisonRow {
  reference: string;
  approach: string;
  metric: string;
  reported: number;
  /** The best linked run's value of the metric, absent when no linked run logged it. */
  ours?: number;
  bestRun?: string;
}

const LOWER_IS_BETTER = /(error|loss|rmse|mae|mse|mape|brier|deviance)/i;

/** Whether a smaller value of the metric is better, judged by its name. */
export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.test(metric);
}

/** One row per reported metric of every reference; `runMetrics` gives each linked run's latest metric values. */
export function compareReferences(references: readonly ReferenceRecord[], runMetrics: ReadonlyMap<string, Readonly<Record<string, number>>>): ComparisonRow[] {
  return references.flatMap((reference) =>
    reference.reported.map((reported) => {
      const row: ComparisonRow = { reference: reference.key, approach: reference.approach, metric: reported.name, reported: reported.value };
      for (const link of reference.links) {
        const value = runMetrics.get(link.runId)?.[reported.name];
        if (value === undefined || !Number.isFinite(value)) continue;
        const better = row.ours === undefined || (lowerIsBetter(reported.name) ? value < row.ours : value > row.ours);
        if (better) {
          row.ours = value;
          row.bestRun = link.runId;
        }
      }
      return row;
    }),
  );
}
