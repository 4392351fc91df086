/**
 * Feasibility evidence for a design's candidates, computed by mlcycle and stored as the design's next
 * version (audited as design.assessed). Phases, per candidate:
 *   1. check   every candidate's pipeline and metric before anything runs, so a bad one stores nothing
 *   2. measure the learning curve and cost on a sample of the candidate's training rows (measure-candidate.ts)
 *   3. fit     the inverse power law, extrapolate to 2x, 5x and 10x the measured rows, and say whether
 *              the candidate's target (or the spec's target for its metric) is reached there
 *   4. price   training time and peak memory projected to the full training rows and to 10x them
 *   5. size    the online test from the spec's primary metric (online-test-size.ts); one size for the
 *              design, attached to each assessed candidate
 */
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DesignRecord } from '../store/design-store.js';
import type { Workspace } from '../store/workspace.js';
import { estimateComputeCost } from './compute-cost.js';
import type { DesignCandidate, DesignDocument, FeasibilityEvidence } from './design-document.js';
import { fitLearningCurve, reachesTarget } from './learning-curve.js';
import { candidateData, CURVE_METRICS, loadCandidatePipeline, measureCandidate, type CandidateData, type CandidateMeasureOptions, type FeatureTableCache } from './measure-candidate.js';
import { DEFAULT_FRACTIONS } from './measure-learning-curve.js';
import { sizeOnlineTest, type OnlineTestOptions } from './online-test-size.js';

export interface AssessFeasibilityOptions {
  workspace: Workspace;
  engine: AnalyticsEngine;
  spec: ProblemSpec;
  design: string;
  /** Only this candidate; every candidate when absent. */
  candidate?: string;
  measure: CandidateMeasureOptions;
  test: OnlineTestOptions;
  context: ChangeContext;
  /** A line per finished candidate, for the person watching. */
  log?: (line: string) => void;
}

export interface AssessFeasibilityResult {
  record: DesignRecord;
  assessed: DesignCandidate[];
}

/** Measures the chosen candidates, sizes the online test and stores the design's next version with the evidence. */
export async function assessFeasibility(options: AssessFeasibilityOptions): Promise<AssessFeasibilityResult> {
  const { workspace, engine, spec } = options;
  const record = await workspace.designs.find(options.design);
  if (record === undefined) throw new MlcycleError('not_found', `no design ${options.design}`);
  const document = record.document as DesignDocument;
  const names = document.candidates.map((candidate) => candidate.name);
  if (options.candidate !== undefined && !names.includes(options.candidate)) {
    throw new MlcycleError('invalid_input', `design ${options.design} has no candidate ${options.candidate} (it has ${names.join(', ')})`);
  }
  // 1. Check every chosen candidate before measuring any.
  const chosen = document.candidates.flatMap((candidate, index) => (options.candidate === undefined || candidate.name === options.candidate ? [{ candidate, index }] : []));
  const pipelines = [];
  for (const { candidate, index } of chosen) pipelines.push(await loadCandidatePipeline(workspace, candidate.pipeline, candidate.metric, `candidates[${index}]`));
  // A split pipeline's parts are made here, once every candidate has passed its checks.
  const data = [];
  for (const pipeline of pipelines) data.push(await candidateData(workspace, engine, spec, pipeline, options.context));
  const first = data[0];
  if (first === undefined) throw new MlcycleError('internal', 'no candidate pipeline to assess');
  const testSize = await sizeOnlineTest(engine, workspace, spec, first.training, options.test);

  const cache: FeatureTableCache = new Map();
  const assessed = new Map<string, FeasibilityEvidence>();
  for (const [position, { candidate }] of chosen.entries()) {
    // 2. Measure.
    const measurement = await measureCandidate(workspace, engine, pipelines[position] as (typeof pipelines)[number], data[position] as CandidateData, candidate.metric, options.measure, cache);
    // 3. Fit and extrapolate.
    const higherIsBetter = CURVE_METRICS[candidate.metric] as boolean;
    const target = candidate.target ?? spec.mlMetrics.find((entry) => entry.metric === candidate.metric)?.target;
    const fit = fitLearningCurve(measurement.points, { higherIsBetter });
    const verdicts = 'extrapolations' in fit && target !== undefined ? fit.extrapolations.map((entry) => ({ multiple: entry.multiple, rows: entry.rows, reaches: reachesTarget(entry.metric, target, higherIsBetter) })) : [];
    // 4. Price.
    const cost = estimateComputeCost(measurement.costs, [measurement.trainingRows, 10 * measurement.trainingRows]);
    const evidence: FeasibilityEvidence = {
      learningCurve: {
        metric: candidate.metric,
        higherIsBetter,
        ...(target === undefined ? {} : { target }),
        pipeline: candidate.pipeline,
        learner: measurement.learner,
        datasets: measurement.datasets,
        trainingRows: measurement.trainingRows,
        measuredRows: measurement.measuredRows,
        validationRows: measurement.validationRows,
        fractions: [...(options.measure.fractions ?? DEFAULT_FRACTIONS)],
        seeds: [...(options.measure.seeds ?? [1, 2, 3])],
        points: measurement.points,
        fit,
        verdicts,
      },
      ...(cost === undefined ? {} : { computeCost: { ...cost, measurements: measurement.costs, warnings: costWarnings(cost.timeExponent) } }),
      testSize,
      assessedAt: options.context.now().toISOString(),
    };
    assessed.set(candidate.name, evidence);
    options.log?.(`${candidate.name}: ${describeEvidence(evidence)}`);
  }
  // 5. Store the next version: the decision stays, since the evidence only adds to it.
  const next: DesignDocument = {
    ...document,
    candidates: document.candidates.map((candidate) => {
      const evidence = assessed.get(candidate.name);
      return evidence === undefined ? candidate : { ...candidate, feasibility: evidence };
    }),
  };
  const saved = await workspace.designs.save(document.name, next, 'design.assessed', options.context);
  return { record: saved, assessed: next.candidates.filter((candidate) => assessed.has(candidate.name)) };
}

/** One line: the measured and extrapolated metric, the target verdict, the cost at full data. */
export function describeEvidence(evidence: FeasibilityEvidence): string {
  const curve = evidence.learningCurve;
  const parts: string[] = [];
  if (curve !== undefined) {
    const largest = curve.points.filter((point) => point.rows === curve.measuredRows);
    const mean = largest.reduce((sum, point) => sum + point.value, 0) / Math.max(1, largest.length);
    parts.push(`${curve.metric} ${mean.toFixed(4)} on ${curve.measuredRows.toLocaleString('en-US')} rows`);
    if ('extrapolations' in curve.fit) {
      const ten = curve.fit.extrapolations.find((entry) => entry.multiple === 10);
      if (ten !== undefined) parts.push(`${ten.metric.estimate.toFixed(4)} [${ten.metric.lower.toFixed(4)}, ${ten.metric.upper.toFixed(4)}] at 10x`);
    }
    const verdict = curve.verdicts.find((entry) => entry.multiple === 10);
    if (verdict !== undefined && curve.target !== undefined) parts.push(`target ${curve.target} at 10x: ${verdict.reaches}`);
    if (curve.fit.flags.length > 0) parts.push(`flags: ${curve.fit.flags.join(', ')}`);
  }
  const full = evidence.computeCost?.projections[0];
  if (full !== undefined) parts.push(`training ${full.seconds.toFixed(1)} s and ${(full.peakBytes / 2 ** 20).toFixed(0)} MiB projected on ${full.rows.toLocaleString('en-US')} rows`);
  return parts.join('; ');
}

/**
 * Training time that grows much slower than the rows means fixed costs (per round, per tree, per leaf)
 * dominate at the measured sizes; per-row work takes over at larger ones, which only the fixed-plus-per-row
 * fit carries forward (compute-cost.ts), from a slope the small samples measure loosely.
 */
function costWarnings(timeExponent: number): string[] {
  if (timeExponent >= 0.8) return [];
  return [`training time grew as rows^${timeExponent.toFixed(2)} over the measured sizes: fixed costs dominate there, so the projections to more rows come from the fixed-plus-per-row fit, which small samples pin down loosely`];
}
