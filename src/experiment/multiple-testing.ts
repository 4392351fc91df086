/**
 * Adjusted p-values for families of tests (metrics x arms x segments). Each adjusted p-value is compared with
 * the family's alpha directly; the adjustments agree with statsmodels' `multipletests` ("holm", "fdr_bh").
 */

export type MultipleTestingMethod = 'none' | 'holm' | 'benjamini-hochberg';

/** Adjusted p-values in the order of the input. */
export function adjustPValues(pValues: readonly number[], method: MultipleTestingMethod): number[] {
  if (method === 'holm') return holmBonferroni(pValues);
  if (method === 'benjamini-hochberg') return benjaminiHochberg(pValues);
  return [...pValues];
}

/**
 * Holm's step-down Bonferroni adjustment (Holm 1979), controlling the family-wise error rate: the i-th
 * smallest p-value is multiplied by (m - i + 1), then made non-decreasing and capped at 1.
 */
export function holmBonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] ?? 1)));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * The Benjamini-Hochberg step-up adjustment (Benjamini and Hochberg 1995), controlling the false discovery
 * rate: the i-th smallest p-value is multiplied by m / i, then made non-increasing from the largest down.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank -= 1) {
    const index = order[rank] ?? 0;
    const pValue = pValues[index] ?? 1;
    // m / (rank + 1) >= 1, so the maximum only removes rounding below the raw p-value.
    running = Math.min(running, Math.max(pValue, (pValue * m) / (rank + 1)));
    adjusted[index] = running;
  }
  return adjusted;
}

function ascendingOrder(values: readonly number[]): number[] {
  return values.map((_, index) => index).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0) || a - b);
}
