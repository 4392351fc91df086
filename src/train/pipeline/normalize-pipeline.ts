/**
 * Phase 2, normalise: the pipeline spec checked against the problem spec and given its defaults. The
 * label comes from the spec's target, the metrics from the spec's `mlMetrics`, the GBDT objective from the
 * task; learner parameters are checked against the learner's schema. Every problem is collected, each
 * with its field path, as Zod collects them; when the shape itself has problems, the parts whose shape is
 * right are still checked, so that one pass reports a bad feature type and an unknown learner parameter
 * together, as `mlcycle spec check` reports all of a spec's problems.
 */
import { findMlMetric } from '../../problem/ml-metric-catalogue.js';
import { parseSpecPart, type PathSegment, type SpecIssue } from '../../problem/spec-issues.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';
import { quoteIdentifier, quoteLiteral } from '../../store/analytics.js';
import { COMPUTED_METRICS, DEFAULT_METRICS, roundMetricFor } from './metric-names.js';
import { LEARNER_PARAM_SCHEMAS, type TrainingChoice } from './learner-params.js';
import { PipelineSpecSchema, type PipelineSpec } from './pipeline-spec.js';
import type { NormalizedPipeline } from './pipeline-types.js';

export type Normalization = { value: NormalizedPipeline; issues: [] } | { value: undefined; issues: SpecIssue[] };

/** The label SQL of the spec's target: its definition, or the column compared with its positive value. */
export function targetLabelSql(spec: ProblemSpec): string {
  const { column, definition, positive } = spec.target;
  if (definition !== undefined) return `(${definition})`;
  if (spec.task === 'binary' && positive !== undefined) {
    const literal = typeof positive === 'string' ? quoteLiteral(positive) : String(positive);
    return `(${quoteIdentifier(column)} = ${literal})`;
  }
  return quoteIdentifier(column);
}

function checkData(data: PipelineSpec['data'], issues: SpecIssue[], at: PathSegment[]): NormalizedPipeline['data'] | undefined {
  const pair = data.training !== undefined || data.validation !== undefined;
  if (pair && (data.dataset !== undefined || data.split !== undefined)) {
    issues.push({ segments: [...at, 'data'], message: 'give either training and validation, or dataset and split, not both' });
    return undefined;
  }
  if (pair) {
    if (data.training === undefined) issues.push({ segments: [...at, 'data', 'training'], message: 'required with validation' });
    if (data.validation === undefined) issues.push({ segments: [...at, 'data', 'validation'], message: 'required with training' });
    return data.training === undefined || data.validation === undefined ? undefined : { training: data.training, validation: data.validation };
  }
  if (data.dataset === undefined || data.split === undefined) {
    issues.push({ segments: [...at, 'data'], message: 'give training and validation versions, or a dataset and how to split it' });
    return undefined;
  }
  const split = data.split;
  if (split.by === 'time' && split.cut === undefined) issues.push({ segments: [...at, 'data', 'split', 'cut'], message: 'a time split needs the instant validation begins' });
  if (split.by !== 'time' && split.validation === undefined) issues.push({ segments: [...at, 'data', 'split', 'validation'], message: `a ${split.by} split needs the validation share` });
  if (split.by === 'group' && split.column === undefined) issues.push({ segments: [...at, 'data', 'split', 'column'], message: 'a group split needs the group column' });
  return { dataset: data.dataset, split };
}

/** The parts of a pipeline whose shape is right: all of them once the whole document parses. */
type PipelineParts = Partial<Pick<PipelineSpec, 'features' | 'data' | 'train' | 'evaluate'>>;

function checkTraining(train: PipelineSpec['train'], features: PipelineSpec['features'] | undefined, spec: ProblemSpec, issues: SpecIssue[], at: PathSegment[]): TrainingChoice | undefined {
  const { learner, params } = train;
  const parsed = parseSpecPart(LEARNER_PARAM_SCHEMAS[learner], params, [...at, 'train', 'params']);
  if (parsed.data === undefined) {
    issues.push(...parsed.issues.map((issue) => ({ ...issue, message: `${issue.message} (learner ${learner})` })));
    return undefined;
  }
  const learnerAt = [...at, 'train', 'learner'];
  if (learner === 'logistic-regression' && spec.task !== 'binary') issues.push({ segments: learnerAt, message: `logistic regression needs a binary task, the spec's is ${spec.task}` });
  if (learner === 'linear-regression' && spec.task !== 'regression') issues.push({ segments: learnerAt, message: `linear regression needs a regression task, the spec's is ${spec.task}` });
  if (spec.task === 'ranking') issues.push({ segments: learnerAt, message: 'ranking tasks have no pipeline learner yet' });
  if (learner === 'gbdt') {
    const gbdt = { ...(parsed.data as (TrainingChoice & { learner: 'gbdt' })['params']) };
    gbdt.objective ??= spec.task === 'multiclass' ? 'multiclass' : spec.task === 'regression' ? 'regression' : 'binary';
    return { learner, params: gbdt };
  }
  if (learner === 'grouped-rate') {
    const grouped = parsed.data as (TrainingChoice & { learner: 'grouped-rate' })['params'];
    const names = new Set((features ?? []).map((feature) => feature.name));
    grouped.groups.forEach((group, index) => {
      // Without a well-formed feature list there is nothing to check the groups against.
      if (features !== undefined && !names.has(group)) issues.push({ segments: [...at, 'train', 'params', 'groups', index], message: `"${group}" is not one of the features` });
    });
    return { learner, params: grouped };
  }
  return { learner, params: parsed.data } as TrainingChoice;
}

function checkMetrics(evaluate: PipelineSpec['evaluate'], spec: ProblemSpec, issues: SpecIssue[], at: PathSegment[]): string[] {
  const listed = evaluate.metrics;
  if (listed === undefined) {
    const fromSpec = spec.mlMetrics.map((target) => target.metric).filter((metric) => COMPUTED_METRICS.has(metric));
    return fromSpec.length > 0 ? [...new Set(fromSpec)] : [...(DEFAULT_METRICS[spec.task] ?? [])];
  }
  listed.forEach((metric, index) => {
    const definition = findMlMetric(metric);
    const segments = [...at, 'evaluate', 'metrics', index];
    if (definition === undefined) issues.push({ segments, message: `unknown ML metric "${metric}"` });
    else if (!(definition.tasks as readonly string[]).includes(spec.task)) issues.push({ segments, message: `${metric} does not apply to a ${spec.task} task` });
    else if (!COMPUTED_METRICS.has(metric)) issues.push({ segments, message: `${metric} is not computed by pipelines yet (computed: ${[...COMPUTED_METRICS].join(', ')})` });
  });
  return [...new Set(listed)];
}

/** Checks the parts against each other and the problem spec, adding to `issues`. */
function checkParts(parts: PipelineParts, spec: ProblemSpec, issues: SpecIssue[], at: PathSegment[]) {
  const seen = new Set<string>();
  parts.features?.forEach((feature, index) => {
    if (seen.has(feature.name)) issues.push({ segments: [...at, 'features', index, 'name'], message: `"${feature.name}" is named twice` });
    seen.add(feature.name);
  });
  const data = parts.data === undefined ? undefined : checkData(parts.data, issues, at);
  const train = parts.train === undefined ? undefined : checkTraining(parts.train, parts.features, spec, issues, at);
  const metrics = parts.evaluate === undefined ? [] : checkMetrics(parts.evaluate, spec, issues, at);
  return { data, train, metrics };
}

/** The parts of a document that failed the shape check which are well formed on their own. */
function wellFormedParts(raw: unknown): PipelineParts {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const document = raw as Record<string, unknown>;
  const { features, data, train, evaluate } = PipelineSpecSchema.shape;
  const part = <T>(result: { success: true; data: T } | { success: false }) => (result.success ? result.data : undefined);
  const parts: PipelineParts = {};
  const parsedFeatures = part(features.safeParse(document.features));
  if (parsedFeatures !== undefined) parts.features = parsedFeatures;
  const parsedData = part(data.safeParse(document.data));
  if (parsedData !== undefined) parts.data = parsedData;
  const parsedTrain = part(train.safeParse(document.train));
  if (parsedTrain !== undefined) parts.train = parsedTrain;
  const parsedEvaluate = part(evaluate.safeParse(document.evaluate));
  if (parsedEvaluate !== undefined) parts.evaluate = parsedEvaluate;
  return parts;
}

/** Validates a pipeline document (already holding its overrides) against the problem spec. */
export function normalizePipeline(raw: unknown, spec: ProblemSpec, sourceLabel: string, at: PathSegment[] = []): Normalization {
  const shape = parseSpecPart(PipelineSpecSchema, raw, at);
  if (shape.data === undefined) {
    const later: SpecIssue[] = [];
    checkParts(wellFormedParts(raw), spec, later, at);
    return { value: undefined, issues: [...shape.issues, ...later] };
  }
  const pipeline = shape.data;
  const issues: SpecIssue[] = [];
  const { data, train, metrics } = checkParts(pipeline, spec, issues, at);
  if (metrics.length === 0 && issues.length === 0) issues.push({ segments: [...at, 'evaluate', 'metrics'], message: `no computable metric for a ${spec.task} task` });
  if (data === undefined || train === undefined || issues.length > 0) return { value: undefined, issues };
  if (train.learner === 'gbdt') train.params.validationMetric ??= roundMetricFor(train.params.objective ?? 'binary', metrics[0]);
  const features = pipeline.features.map(({ name, type, sql }) => (sql === undefined ? { name, type } : { name, type, sql }));
  const name = pipeline.name ?? `${spec.name}-${train.learner}`;
  return {
    value: {
      name,
      experiment: pipeline.experiment ?? spec.name,
      task: spec.task,
      data,
      label: pipeline.label ?? targetLabelSql(spec),
      features,
      train: { ...train, sampleStride: pipeline.train.sampleStride },
      metrics,
      sourceLabel,
    },
    issues: [],
  };
}
