/**
 * The demo's stage 7: the tuned trees (challenger) against the logistic regression (champion) and the
 * training prior (baseline) on the May flights, by the spec's segments (census region among them), with the
 * business value of each model's best alert threshold under the spec's false-alarm guardrail, and the
 * ready/not-ready verdict against the spec's ML metric targets. The evaluation is stored with the model
 * version and dataset version; a ready one completes the board's offline-evaluation stage. Then June, the
 * later period, is replayed under both models' decisions at the thresholds chosen on May.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluateModels, type EvaluateModelsResult } from '../evaluate/evaluate-models.js';
import { describeReplay, replayAtBestThresholds } from '../evaluate/replay-period.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';

/** Enough resamples for intervals to two decimals on half a million rows, in seconds. */
const RESAMPLES = 200;
const SEED = 0;

function interval(estimate: { estimate: number; lower: number; upper: number } | undefined, digits = 4): string {
  if (estimate === undefined) return 'n/a';
  return `${estimate.estimate.toFixed(digits)} [${estimate.lower.toFixed(digits)}, ${estimate.upper.toFixed(digits)}]`;
}

function pValue(p: number): string {
  if (p === 0) return '< 1e-300';
  return p < 1e-4 ? `= ${p.toExponential(1)}` : `= ${p.toFixed(4)}`;
}

/** Evaluates the challenger on the dataset version, prints what a product manager asks, and writes the report. */
export async function evaluateDemoModels(
  workspace: Workspace,
  engine: AnalyticsEngine,
  spec: ProblemSpec,
  dataset: string,
  laterPeriod: string | undefined,
  versions: { champion: string; challenger: string },
  context: ChangeContext,
  log: (line: string) => void,
): Promise<EvaluateModelsResult> {
  const result = await evaluateModels({
    workspace,
    engine,
    spec,
    candidate: versions.challenger,
    champion: versions.champion,
    dataset,
    bootstrap: { resamples: RESAMPLES, seed: SEED },
    context,
  });
  const { evaluation } = result;
  const [candidate, champion, baseline] = (['candidate', 'champion', 'baseline'] as const).map((role) => evaluation.models.find((model) => model.role === role));
  log(`stage 7: evaluated ${result.candidate} against ${result.champion ?? 'no champion'} on ${result.dataset} (${evaluation.rows.toLocaleString('en-US')} flights, ${RESAMPLES} bootstrap resamples)`);
  for (const model of [candidate, champion, baseline]) {
    if (model !== undefined) log(`stage 7:   ${model.role} ${model.name}: AUC ${interval(model.metrics.roc_auc)}, Brier ${interval(model.metrics.brier)}, lift@10% ${interval(model.metrics.lift_at_k, 2)}`);
  }
  const auc = evaluation.comparison?.differences.roc_auc;
  if (auc !== undefined) log(`stage 7:   challenger minus champion AUC ${auc.estimate.toFixed(4)} [${auc.lower.toFixed(4)}, ${auc.upper.toFixed(4)}]${evaluation.comparison?.delong === undefined ? '' : `, DeLong p ${pValue(evaluation.comparison.delong.pValue)}`}`);
  for (const value of evaluation.businessValue ?? []) {
    const best = value.best;
    if (best === undefined) continue;
    if ('reason' in best) log(`stage 7:   value of ${value.role} ${value.model}: no threshold meets the guardrails (${best.reason})`);
    else {
      const estimate = best.estimate;
      const rule = Number.isFinite(best.point.threshold) ? `alerting above ${best.point.threshold.toFixed(3)} (false-alarm rate ${best.point.falsePositiveRate.toFixed(3)})` : 'alerting no one';
      log(`stage 7:   value of ${value.role} ${value.model}: ${estimate.valuePerDecision.toFixed(3)} ${value.currency} per flight [${estimate.bootstrapInterval[0].toFixed(3)}, ${estimate.bootstrapInterval[1].toFixed(3)}] ${rule}`);
    }
  }
  for (const column of evaluation.slices) {
    const worse = column.segments.filter((segment) => segment.versusChampion?.worse === true).map((segment) => segment.value);
    log(`stage 7:   by ${column.column}: ${column.segments.length} segments, ${worse.length === 0 ? 'none worse than under the champion' : `worse than under the champion: ${worse.join(', ')}`}`);
  }
  const { verdict } = evaluation;
  const failed = verdict.checks.filter((check) => !check.passed);
  log(`stage 7: verdict: ${verdict.ready ? 'ready' : 'not ready'} for online evaluation (${verdict.checks.length - failed.length} of ${verdict.checks.length} checks hold${failed.length === 0 ? '' : `; failed: ${failed.map((check) => check.detail).join('; ')}`})`);
  const report = path.join(workspace.stateDir, 'reports', `evaluation-${result.record?.id ?? 'latest'}.html`);
  await mkdir(path.dirname(report), { recursive: true });
  await writeFile(report, result.html);
  log(`stage 7: report ${report}`);
  if (laterPeriod !== undefined) {
    // June under both models' decisions, each alerting at the threshold the evaluation chose for it on May.
    const replayed = await replayAtBestThresholds({ workspace, engine, spec, evaluated: result, dataset: laterPeriod, interval: { resamples: RESAMPLES, seed: SEED } });
    if (replayed !== undefined) for (const line of describeReplay(replayed, 'May')) log(`stage 7: ${line}`);
  }
  return result;
}
