/** The shape of a dataset profile: what `mlcycle explore` computes, stores and reports. */
import type { FeasibilityFacts } from '../data/feasibility.js';
import type { SqlValue } from '../store/analytics.js';
import type { SemanticType } from '../store/dataset-store.js';

export interface NumericSummary {
  /** Moments and quantiles are over the finite values; infinities are counted apart. */
  mean: number | null;
  /** Sample standard deviation (n - 1 in the denominator), as pandas' `std()`. */
  std: number | null;
  min: number | null;
  max: number | null;
  /** Linear interpolation between order statistics (numpy's default, pandas' `quantile()`). */
  quantiles: { p1: number | null; p5: number | null; p25: number | null; p50: number | null; p75: number | null; p95: number | null; p99: number | null };
  /** Adjusted Fisher-Pearson sample skewness G1, as pandas' `skew()`; 0 for a constant column. */
  skewness: number | null;
  /** Excess kurtosis with the sample bias correction, as pandas' `kurt()`; 0 for a constant column. */
  kurtosis: number | null;
  zeros: number;
  negatives: number;
  infinities: number;
  /** Equal-width bins over [min, max]; one bin per value for integers of a small range. */
  histogram: { start: number; end: number; count: number }[];
}

export interface CategoricalSummary {
  top: { value: string; count: number }[];
  /** Non-missing values outside the top list. */
  otherCount: number;
  cardinality: number;
}

export interface DatetimeSummary {
  min: string | null;
  max: string | null;
  unit: 'hour' | 'day' | 'week' | 'month' | 'year';
  counts: { start: string; count: number }[];
  /** Runs of empty periods inside the range, longest first. */
  gaps: { from: string; to: string; periods: number }[];
}

export interface TextSummary {
  length: { min: number | null; mean: number | null; max: number | null };
  /** Lower-cased whitespace-separated tokens of the first TOKEN_SAMPLE_ROWS values. */
  topTokens: { token: string; count: number }[];
}

export interface ColumnProfile {
  name: string;
  semanticType: SemanticType;
  storageType: string;
  count: number;
  missing: number;
  missingShare: number;
  distinct: number;
  distinctApproximate: boolean;
  numeric?: NumericSummary;
  categorical?: CategoricalSummary;
  datetime?: DatetimeSummary;
  text?: TextSummary;
}

export type CorrelationMethod = 'spearman' | 'cramers-v' | 'correlation-ratio';

export interface Correlation {
  method: CorrelationMethod;
  a: string;
  b: string;
  value: number;
  /** Rows where both columns have a value. */
  n: number;
}

export interface TargetAssociation {
  column: string;
  /** In nats, between the binned column and the (binned) target. */
  mutualInformation: number;
  /** Binary targets: single-column ROC AUC, oriented to be at least 0.5 (held out for categories). */
  auc?: number;
  /** Regression targets: single-column R-squared (held out for categories). */
  r2?: number;
}

export const ALERT_KINDS = [
  'constant',
  'high-cardinality',
  'high-missing',
  'many-zeros',
  'skewed',
  'imbalance',
  'duplicates',
  'high-correlation',
  'identifier',
  'leak',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  kind: AlertKind;
  columns: string[];
  message: string;
  value: SqlValue;
}

export interface FoldScores {
  metric: string;
  folds: number[];
  mean: number;
  std: number;
}

export interface Strawman {
  task: 'binary' | 'regression';
  rowsUsed: number;
  folds: number;
  features: string[];
  baseline: { name: string; scores: FoldScores[] };
  model: { name: string; scores: FoldScores[] };
  /** A short reading: is there signal? */
  verdict: string;
}

export interface DatasetProfile {
  format: 1;
  ref: string;
  hash: string;
  rows: number;
  target?: string;
  columns: ColumnProfile[];
  correlations: Correlation[];
  /** Columns left out of correlations, and why. */
  correlationNotes: string[];
  associations: TargetAssociation[];
  facts: FeasibilityFacts;
  alerts: Alert[];
  strawman?: Strawman;
  strawmanNote?: string;
  computedAt: string;
  seconds: number;
}
