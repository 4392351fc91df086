/**
 * Replay of a later period, issue 8's first offline A/B estimate: registered models score a held-out period
 * whose outcomes are known, each deciding by a rule fixed beforehand (for example the value-maximising
 * threshold an evaluation chose on the month before), and the period's outcomes say how many alerts each
 * would have sent, how many delays it would have caught, how many false alarms it would have raised and
 * what that is worth under the spec's value model, with paired differences against the first model.
 * Nothing is fitted on the replayed period. Success metrics measured from events (alerts opened,
 * rebookings) cannot be replayed; the result says so per metric (replay-spec.ts).
 */
import { resolveDatasetRef } from '../data/dataset-ref.js';
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';
import type { ValueIntervalOptions } from './business-value.js';
import { modelOutput, type EvaluateModelsResult } from './evaluate-models.js';
import { loadModelVersion, readEvaluationTable } from './model-inputs.js';
import type { DecisionRule } from './replay.js';
import { replayWithSpec, type SpecReplay } from './replay-spec.js';

export interface ReplayPeriodRequest {
  workspace: Workspace;
  engine: AnalyticsEngine;
  spec: ProblemSpec;
  /** The period: a dataset version, `NAME` or `NAME@VERSION`, with the spec's target known. */
  dataset: string;
  /** The models and their decision rules; the first is the reference of the paired differences. */
  models: readonly { ref: string; rule: DecisionRule }[];
  interval?: ValueIntervalOptions;
}

export interface ReplayPeriodResult {
  dataset: string;
  /** Rows replayed (those whose outcome is known). */
  rows: number;
  unlabelled: number;
  /** The models' URIs, in the request's order. */
  models: string[];
  replay: SpecReplay;
}

/** Scores the period with each model and replays their decisions against its known outcomes. */
export async function replayPeriod(request: ReplayPeriodRequest): Promise<ReplayPeriodResult> {
  const { workspace, engine, spec } = request;
  if (request.models.length === 0) throw new MlcycleError('invalid_input', 'a replay needs at least one model');
  const loaded = [];
  for (const model of request.models) loaded.push(await loadModelVersion(workspace, model.ref));
  const version = await resolveDatasetRef(workspace.datasets, request.dataset);
  const table = await readEvaluationTable(engine, workspace, spec, version, loaded, [], undefined);
  const models = loaded.map((model, index) => ({
    name: model.uri,
    scores: modelOutput(spec, model, table.inputs.get(model.uri) ?? {}, table.rows).predictions,
    rule: (request.models[index] as { rule: DecisionRule }).rule,
  }));
  const replay = replayWithSpec(spec, { labels: table.labels, models, ...(request.interval === undefined ? {} : { interval: request.interval }) });
  return { dataset: version.ref, rows: table.rows, unlabelled: table.unlabelled, models: loaded.map((model) => model.uri), replay };
}

/**
 * Replays a later period under the champion's and the candidate's decisions, each acting at the
 * value-maximising threshold (under the guardrails) that the evaluation chose for it; undefined when the
 * evaluation chose none (no value model, or no threshold meets the guardrails).
 */
export async function replayAtBestThresholds(
  request: Omit<ReplayPeriodRequest, 'models'> & { evaluated: EvaluateModelsResult },
): Promise<ReplayPeriodResult | undefined> {
  const { evaluated, ...rest } = request;
  const models: { ref: string; rule: DecisionRule }[] = [];
  for (const uri of [evaluated.champion, evaluated.candidate]) {
    const best = evaluated.evaluation.businessValue?.find((value) => value.model === uri)?.best;
    if (uri !== undefined && best !== undefined && 'point' in best && Number.isFinite(best.point.threshold)) models.push({ ref: uri, rule: { kind: 'threshold', threshold: best.point.threshold } });
  }
  return models.length === 0 ? undefined : replayPeriod({ ...rest, models });
}

/** The replay in lines a product manager reads: alerts, delays caught, false alarms, value and its difference. */
export function describeReplay(replayed: ReplayPeriodResult, thresholdsFrom: string): string[] {
  const count = (value: number) => value.toLocaleString('en-US');
  const interval = (estimate: { bootstrapInterval: [number, number] }) => `[${estimate.bootstrapInterval[0].toFixed(3)}, ${estimate.bootstrapInterval[1].toFixed(3)}]`;
  const lines = [`replay of ${replayed.dataset} (${count(replayed.rows)} rows) acting at ${thresholdsFrom}'s thresholds:`];
  const first = replayed.models[0];
  for (const outcome of replayed.replay.decisions) {
    const rule = outcome.rule.kind === 'threshold' ? `score >= ${outcome.rule.threshold.toFixed(3)}` : `top ${outcome.rule.k}`;
    const value = outcome.value === null ? '' : `, ${outcome.value.valuePerDecision.toFixed(3)} ${replayed.replay.currency ?? ''} per decision ${interval(outcome.value)}`;
    const difference = outcome.valueDifference === null ? '' : `; ${outcome.valueDifference.valuePerDecision >= 0 ? '+' : ''}${outcome.valueDifference.valuePerDecision.toFixed(3)} ${interval(outcome.valueDifference)} against ${first}`;
    lines.push(`  ${outcome.model} (${rule}): ${count(outcome.actions)} actions, ${count(outcome.truePositives)} of ${count(outcome.truePositives + outcome.falseNegatives)} positives caught, ${count(outcome.falsePositives)} false alarms (rate ${outcome.falsePositiveRate.toFixed(3)})${value}${difference}`);
  }
  const notReplayable = replayed.replay.successMetrics.filter((metric) => !metric.replayable).map((metric) => metric.id);
  if (notReplayable.length > 0) lines.push(`  not replayable offline, left to the A/B test: ${notReplayable.join(', ')} (measured from events that only live decisions produce)`);
  return lines;
}
