/**
 * The run metric keys under which an ML metric of the spec (`roc_auc`, `rmse`...) is logged: training code
 * may log the name itself, and a pipeline run (`mlcycle train`) logs what it measured on the validation
 * data as `validation_NAME`. Readers of a run (model cards) look the keys up in this order.
 */

/** The key a pipeline run logs a validation metric under, e.g. `validation_roc_auc`. */
export function validationMetricKey(metric: string): string {
  return `validation_${metric}`;
}

/** Where a run's value of an ML metric is found: the metric's own key first, then the pipeline's validation key. */
export function findLoggedMetric(metrics: Readonly<Record<string, number>>, metric: string): { key: string; value: number } | undefined {
  for (const key of [metric, validationMetricKey(metric)]) {
    const value = Object.hasOwn(metrics, key) ? metrics[key] : undefined;
    if (value !== undefined) return { key, value };
  }
  return undefined;
}
