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
  /** With `segmentColumn`: each prediction's segment, from its exposure's attributes (or its logged inputs). */
  segments: (string | null)[];
}

/**
 * The filtered predictions whose unit has a label, with that label; with `segmentColumn`, also each one's
 * segment as its exposure recorded it (experiment filters) or as its logged inputs hold it (version filters).
 */
export async function labelledPredictions(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, filter: PredictionFilter, labelEvent: string, segmentColumn?: string): Promise<LabelledPredictions> {
  const relation = await workspace.events.relation();
  try {
    let predictions: string;
    if ('experiment' in filter) {
      const arm = filter.arm === undefined ? '' : ` AND arm = ${quoteLiteral(filter.arm)}`;
      const segment = segmentColumn === undefined ? 'NULL::VARCHAR' : `json_extract_string(attributes, ${quoteLiteral(`$.${JSON.stringify(segmentColumn)}`)})`;
      const exposed = `SELECT request_id, any_value(${segment}) AS segment FROM (${relation.sql}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(filter.experiment)} AND phase = ${Math.trunc(filter.phase)}${arm} GROUP BY request_id`;
      const named = filter.shadow === true ? `p.name = 'shadow'` : `(p.name IS NULL OR p.name <> 'shadow')`;
      predictions = `SELECT p.unit, p.score, p.decision, e.segment FROM (${relation.sql}) p JOIN (${exposed}) e ON p.request_id = e.request_id WHERE p.type = 'prediction' AND ${named}`;
    } else {
      // Outside an experiment the segment comes from the request's logged inputs (`log.inputs: full`).
      const segment = segmentColumn === undefined ? 'NULL::VARCHAR' : `json_extract_string(inputs, ${quoteLiteral(`$.${JSON.stringify(segmentColumn)}`)})`;
      predictions = `SELECT unit, score, decision, ${segment} AS segment FROM (${relation.sql}) WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow') AND model = ${quoteLiteral(filter.model)} AND version = ${Math.trunc(filter.version)} AND time >= ${quoteLiteral(filter.since)}::TIMESTAMPTZ`;
    }
    const columns = await engine.columns(`WITH labels AS (SELECT unit, arg_max(value, time) AS label FROM (${relation.sql}) WHERE type = 'outcome' AND name = ${quoteLiteral(labelEvent)} AND unit IS NOT NULL AND value IS NOT NULL GROUP BY unit),
predictions AS (${predictions})
SELECT p.score::DOUBLE AS score, (CASE WHEN l.label = 1 THEN 1 ELSE 0 END)::DOUBLE AS label, p.decision::DOUBLE AS decision, p.segment::VARCHAR AS segment FROM predictions p JOIN labels l USING (unit) WHERE p.score IS NOT NULL`);
    const take = (name: string) => (columns[name] instanceof Float64Array ? columns[name] : new Float64Array(0));
    const segments = columns.segment;
    return { scores: take('score'), labels: take('label'), decisions: take('decision'), segments: Array.isArray(segments) ? segments : [] };
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

/** The scores of one arm's acting predictions in one phase. */
export async function armScores(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, experiment: string, phase: number, arm: string): Promise<Float64Array> {
  const relation = await workspace.events.relation();
  try {
    const columns = await engine.columns(`WITH exposed AS (SELECT DISTINCT request_id FROM (${relation.sql}) WHERE type = 'exposure' AND experiment = ${quoteLiteral(experiment)} AND phase = ${Math.trunc(phase)} AND arm = ${quoteLiteral(arm)})
SELECT score::DOUBLE AS score FROM (${relation.sql}) WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow') AND score IS NOT NULL AND request_id IN (SELECT request_id FROM exposed)`);
    return columns.score instanceof Float64Array ? columns.score : new Float64Array(0);
  } finally {
    relation.release();
  }
}

/** The scores of one version's acting predictions since a time. */
export async function versionScores(engine: AnalyticsEngine, workspace: Pick<Workspace, 'events'>, model: string, version: number, since: string): Promise<Float64Array> {
  const relation = await workspace.events.relation();
  try {
    const columns = await engine.columns(
      `SELECT score::DOUBLE AS score FROM (${relation.sql}) WHERE type = 'prediction' AND (name IS NULL OR name <> 'shadow') AND score IS NOT NULL AND model = ${quoteLiteral(model)} AND version = ${Math.trunc(version)} AND time >= ${quoteLiteral(since)}::TIMESTAMPTZ`,
    );
    return columns.score instanceof Float64Array ? columns.score : new Float64Array(0);
  } finally {
    relation.release();
  }
}
