/**
 * An online experiment analysed from the event log. The log's exposures of one phase give each unit its arm
 * (a unit seen in two arms is counted and left out), its first exposure time and its segment (the segment's
 * attribute as the request carried it). Outcome events count when they arrive within the attribution window
 * after the unit's first exposure; with a pre-exposure window, the same events in the window before the
 * first exposure are each metric's CUPED covariate. The spec's success metrics turn into SQL (events by
 * name; a metric on a column reads the outcome events of that name, their values), the sufficient
 * statistics are aggregated in DuckDB, and the stats engine does the rest: sample ratio, effects with
 * intervals per metric, arm and segment, sequential results, guardrails and the decision.
 */
import { randomUUID } from 'node:crypto';
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral, type AnalyticsEngine } from '../store/analytics.js';
import type { EventReader } from '../store/event-store.js';
import type { AggregatedStatistics } from './aggregate-statistics.js';
import type { ExperimentAnalysis } from './analyze-experiment.js';
import { analyzeExperimentFromSpec } from './analyze-from-tables.js';
import { controlArm, type ExperimentDefinition } from './online-definition.js';

export interface OnlineAnalysisInput {
  name: string;
  phase: number;
  definition: ExperimentDefinition;
  spec: Pick<ProblemSpec, 'successMetrics' | 'segments' | 'randomizationUnit'>;
  /** Analysis time: outcomes after it are not read (default: everything in the log). */
  until?: Date;
}

export interface OnlineAnalysis {
  name: string;
  phase: number;
  exposedUnits: number;
  statistics: AggregatedStatistics;
  analysis: ExperimentAnalysis;
}

/** The columns spec metrics read by name (`source.column`, numerator or denominator columns). */
function metricColumns(spec: Pick<ProblemSpec, 'successMetrics'>): string[] {
  const columns = new Set<string>();
  for (const metric of spec.successMetrics) {
    const source = metric.source as Record<string, { column?: string } | string | undefined>;
    for (const part of [source, source.numerator, source.denominator]) {
      if (typeof part === 'object' && part !== null && typeof part.column === 'string') columns.add(part.column);
    }
  }
  columns.delete('unit');
  columns.delete('event');
  return [...columns];
}

/** Aggregates the phase's exposures and outcomes in the engine and analyses them with the spec's metrics. */
export async function analyzeOnlineExperiment(engine: AnalyticsEngine, events: EventReader, input: OnlineAnalysisInput): Promise<OnlineAnalysis> {
  const { definition, spec } = input;
  const segmentName = definition.segment === undefined ? spec.segments[0]?.name : definition.segment;
  const segment = segmentName === null || segmentName === undefined ? undefined : spec.segments.find((candidate) => candidate.name === segmentName);
  if (segmentName !== null && segmentName !== undefined && segment === undefined) {
    throw new MlcycleError('invalid_input', `the experiment's segment "${segmentName}" is not in mlcycle.yaml (segments: ${spec.segments.map((item) => item.name).join(', ') || 'none'})`);
  }
  const relation = await events.relation();
  const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
  const firsts = `online_first_${suffix}`;
  try {
    const until = input.until === undefined ? '' : ` AND time <= ${quoteLiteral(input.until.toISOString())}::TIMESTAMPTZ`;
    const segmentSql = segment === undefined ? 'NULL' : `min(json_extract_string(attributes, ${quoteLiteral(`$.${JSON.stringify(segment.column)}`)}))`;
    // One row per exposed unit: its arm (NULL when it saw two), first exposure and segment, in one pass.
    await engine.run(`CREATE TEMP TABLE ${firsts} AS
SELECT unit, CASE WHEN min(arm) = max(arm) THEN min(arm) END AS arm, min(time) AS first_time, ${segmentSql}::VARCHAR AS ${quoteIdentifier(segment?.column ?? 'segment')}
FROM (${relation.sql})
WHERE type = 'exposure' AND experiment = ${quoteLiteral(input.name)} AND phase = ${Math.trunc(input.phase)} AND unit IS NOT NULL AND arm IS NOT NULL${until}
GROUP BY unit`);
    const [counted] = await engine.query(`SELECT count(*)::DOUBLE AS n FROM ${firsts}`);
    const exposedUnits = Number(counted?.n ?? 0);
    if (exposedUnits === 0) {
      throw new MlcycleError('invalid_input', `experiment "${input.name}" has no exposures in phase ${input.phase} in the event log yet: send traffic through the prediction service (or \`mlcycle simulate\`) first`);
    }
    const pivots = metricColumns(spec).map((column) => `, CASE WHEN o.name = ${quoteLiteral(column)} THEN o.value END AS ${quoteIdentifier(column)}`).join('');
    const window = (from: string, to: string) =>
      `(SELECT o.unit AS unit, o.name AS event, o.value AS value${pivots} FROM (${relation.sql}) o JOIN ${firsts} f ON o.unit = f.unit WHERE o.type = 'outcome' AND o.time >= ${from} AND o.time < ${to}${until.replaceAll('time', 'o.time')})`;
    const attribution = `f.first_time + INTERVAL ${quoteLiteral(`${definition.attributionHours * 3600} seconds`)}`;
    const pre = definition.preExposureHours === undefined ? undefined : `f.first_time - INTERVAL ${quoteLiteral(`${definition.preExposureHours * 3600} seconds`)}`;
    const control = controlArm(definition);
    const { statistics, analysis } = await analyzeExperimentFromSpec(
      engine,
      spec,
      {
        exposures: { relation: firsts, arm: 'arm', unit: 'unit', perUnit: true },
        outcomes: { relation: window('f.first_time', attribution), unit: 'unit', eventColumn: 'event' },
        ...(pre === undefined ? {} : { prePeriod: { relation: window(pre, 'f.first_time'), unit: 'unit' } }),
      },
      {
        name: input.name,
        control,
        weights: Object.fromEntries(definition.arms.map((arm) => [arm.id, arm.weight])),
        segment: segment === undefined ? null : segment.name,
        options: {
          cuped: pre !== undefined,
          ...(definition.sequential ? { sequential: { method: 'confidence-sequence' as const, tuningParameter: 5000 } } : {}),
        },
      },
    );
    return { name: input.name, phase: input.phase, exposedUnits, statistics, analysis };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${firsts}`).catch(() => undefined);
    relation.release();
  }
}
