/**
 * The experiment stage's entry point: analyse an experiment straight from exposure and outcome tables in the
 * analytics engine, with the metrics, directions, margins and minimum effects of the spec's
 * `successMetrics` (spec-metrics.ts turns each into SQL), the spec's segment column for per-segment effects,
 * and an optional pre-period for CUPED. The statistics are aggregated in SQL (aggregate-statistics.ts) and
 * go through the same validation and analysis as `mlcycle stats analyze`.
 */
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import { aggregateStatistics, type AggregatedStatistics, type ExperimentSource } from './aggregate-statistics.js';
import { analysisInputSchema, type AnalysisOptions } from './analysis-input.js';
import { analyzeExperiment, type ExperimentAnalysis } from './analyze-experiment.js';
import { specMetricColumns } from './spec-metrics.js';

/** Where the experiment's rows are; unit columns default to the spec's randomisation unit. */
export interface ExperimentTables {
  /** With `perUnit`, one row per unit with its arm (NULL for a unit seen in several) and segment already. */
  exposures: { relation: string; arm: string; unit?: string; perUnit?: boolean };
  outcomes: { relation: string; unit?: string; eventColumn?: string };
  prePeriod?: { relation: string; unit?: string };
}

export interface SpecAnalysisOptions {
  name: string;
  /** The control arm; `control` when there is one, else the first arm in order. */
  control?: string;
  /** Planned split per arm (for the sample ratio check); equal by default. */
  weights?: Record<string, number>;
  /** The spec segment (by name) whose column splits the effects; the first spec segment by default, null for none. */
  segment?: string | null;
  /** Method options, as in the JSON input's `options`. */
  options?: Partial<AnalysisOptions>;
}

/** Aggregates and analyses; returns the statistics too, so that they can be stored or exported. */
export async function analyzeExperimentFromSpec(
  engine: AnalyticsEngine,
  spec: Pick<ProblemSpec, 'successMetrics' | 'segments' | 'randomizationUnit'>,
  tables: ExperimentTables,
  settings: SpecAnalysisOptions,
): Promise<{ statistics: AggregatedStatistics; analysis: ExperimentAnalysis }> {
  if (spec.successMetrics.length === 0) throw new MlcycleError('invalid_input', 'mlcycle.yaml has no successMetrics to analyse the experiment on');
  const segmentName = settings.segment === undefined ? spec.segments[0]?.name : settings.segment;
  const segment = segmentName === null || segmentName === undefined ? undefined : spec.segments.find((candidate) => candidate.name === segmentName);
  if (segmentName !== null && segmentName !== undefined && segment === undefined) {
    throw new MlcycleError('invalid_input', `segment "${segmentName}" is not in mlcycle.yaml (segments: ${spec.segments.map((item) => item.name).join(', ') || 'none'})`);
  }
  const unit = spec.randomizationUnit;
  const source: ExperimentSource = {
    exposures: { relation: tables.exposures.relation, unit: tables.exposures.unit ?? unit, arm: tables.exposures.arm, ...(segment === undefined ? {} : { segment: segment.column }), ...(tables.exposures.perUnit === true ? { perUnit: true } : {}) },
    outcomes: { relation: tables.outcomes.relation, unit: tables.outcomes.unit ?? unit },
    ...(tables.prePeriod === undefined ? {} : { prePeriod: { relation: tables.prePeriod.relation, unit: tables.prePeriod.unit ?? unit } }),
  };
  const columns = specMetricColumns(spec.successMetrics, tables.outcomes.eventColumn === undefined ? {} : { eventColumn: tables.outcomes.eventColumn }, tables.prePeriod !== undefined);
  const statistics = await aggregateStatistics(engine, source, columns);
  const arms = Object.keys(statistics.units);
  if (arms.length < 2) throw new MlcycleError('invalid_input', `the exposures show ${arms.length} arm${arms.length === 1 ? '' : 's'}; an experiment needs at least two`);
  const control = settings.control ?? (arms.includes('control') ? 'control' : arms[0]);
  const scale = settings.options?.scale ?? 'relative';
  const relativeMargins = spec.successMetrics.filter((metric) => metric.nonInferiorityMargin !== undefined).map((metric) => metric.id);
  if (scale === 'absolute' && relativeMargins.length > 0) {
    throw new MlcycleError('invalid_input', `mlcycle.yaml's margins are relative (${relativeMargins.join(', ')}); analyse on the relative scale to test those guardrails`);
  }
  const input = analysisInputSchema.parse({
    name: settings.name,
    arms: arms.map((id) => ({ id, weight: (settings.weights !== undefined && Object.hasOwn(settings.weights, id) ? settings.weights[id] : undefined) ?? 1, units: statistics.units[id] })),
    control,
    multipleExposures: statistics.multipleExposures,
    metrics: spec.successMetrics.map((metric) => {
      const collected = statistics.metrics[metric.id];
      const minimum = metric.minimumDetectableEffect[scale];
      return {
        id: metric.id,
        kind: metric.kind,
        role: metric.role,
        direction: metric.direction,
        ...(metric.kind === 'quantile' ? { quantile: metric.quantile ?? 0.5 } : {}),
        ...(metric.nonInferiorityMargin !== undefined && scale === 'relative' ? { nonInferiorityMargin: metric.nonInferiorityMargin } : {}),
        ...(minimum === undefined ? {} : { minimumDetectableEffect: minimum }),
        arms: collected?.arms,
        ...(segment === undefined ? {} : { segments: collected?.segments }),
      };
    }),
    options: settings.options ?? {},
  });
  return { statistics, analysis: analyzeExperiment(input) };
}
