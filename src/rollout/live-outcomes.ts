/**
 * What the event log says about a model version once it serves: its predictions with the true labels that
 * arrived later, and the requests it could not answer.
 *
 * Labels are outcome events named after the spec's target column (`delayed` for the demo), value 1 for the
 * positive class and 0 otherwise, posted for the unit the prediction was made for (the way the traffic
 * simulator and a product's own back end post every other business event). A unit's latest label counts.
 */
import { quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';

/** Which predictions: those of one arm in one phase of an experiment, or those of one version since a time. */
export type PredictionFilter =
  | { experiment: string; phase: number; arm?: string; shadow?: boolean }
  | { model: string; version: number; since: string };

export interface LabelledPredictions {
  scores: Float64Array;
  labels: Float64Array;
  /** The decision each prediction made (NaN where it made none). */
  decisions: Float64Array;
}

function predictionWhere(filter: PredictionFilter, relation: string): string {
  if ('experiment' in filter) {
    const arm = filter.arm === undefined ? '' : ` AND arm = ${quoteLiteral(filter.arm)}`;
    const exposed = `SELECT request_id FROM (${relation}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(filter.experiment)} AND phase = ${Math.trunc(filter.phase)}${arm}`;
    const named = filter.shadow === true ? `name = 'shadow'` : `(name IS NULL OR name <> 'shadow')`;
    return `type = 'prediction' AND ${named} AND request_id IN (${exposed})`;
  }
  return `type = 'prediction' AND (name IS NULL OR name <> 'shadow') AND model = ${quoteLiteral(filter.model)} AND version = ${Math.trunc(filter.version)} AND time >= ${quoteLiteral(filter.since)}::TIMESTAMPTZ`;
}

/** The filtered predictions whose unit has a label, with that label. */
export async function labelledPredictions(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, filter: PredictionFilter, labelEvent: string): Promise<LabelledPredictions> {
  const relation = await workspace.events.relation();
  try {
    const columns = await engine.columns(`WITH labels AS (SELECT unit, arg_max(value, time) AS label FROM (${relation.sql}) WHERE type = 'outcome' AND name = ${quoteLiteral(labelEvent)} AND unit IS NOT NULL AND value IS NOT NULL GROUP BY unit),
predictions AS (SELECT unit, score, decision FROM (${relation.sql}) WHERE ${predictionWhere(filter, relation.sql)} AND score IS NOT NULL AND unit IS NOT NULL)
SELECT p.score::DOUBLE AS score, (CASE WHEN l.label = 1 THEN 1 ELSE 0 END)::DOUBLE AS label, p.decision::DOUBLE AS decision FROM predictions p JOIN labels l USING (unit)`);
    const take = (name: string) => (columns[name] instanceof Float64Array ? columns[name] : new Float64Array(0));
    return { scores: take('score'), labels: take('label'), decisions: take('decision') };
  } finally {
    relation.release();
  }
}

/** Requests of one arm in one phase: answered with a prediction, and failed (error events). */
export async function armRequests(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, experiment: string, phase: number, arm: string): Promise<{ answered: number; failed: number }> {
  const relation = await workspace.events.relation();
  try {
    const [row] = await engine.query(`WITH exposed AS (SELECT request_id FROM (${relation.sql}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(experiment)} AND phase = ${Math.trunc(phase)} AND arm = ${quoteLiteral(arm)})
SELECT count(*) FILTER (WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow'))::DOUBLE AS answered, count(*) FILTER (WHERE type = 'error')::DOUBLE AS failed
FROM (${relation.sql}) WHERE type IN ('prediction', 'error') AND request_id IN (SELECT request_id FROM exposed)`);
    return { answered: Number(row?.answered ?? 0), failed: Number(row?.failed ?? 0) };
  } finally {
    relation.release();
  }
}
