/**
 * Rules of the problem spec that relate fields to each other (a ratio metric needs a numerator, an owner
 * must be a stakeholder, an ML metric must fit the task). They read the raw document defensively, so
 * that they still report their problems when other fields are malformed: `mlcycle spec check` lists
 * every problem at once.
 */
import { findMlMetric, mlMetricsForTask } from './ml-metric-catalogue.js';
import { formatPath, parseSpecPart, type PathSegment, type SpecIssue } from './spec-issues.js';
import { METRIC_KINDS, TASK_TYPES, VALUE_MODEL_SCHEMAS, type TaskType } from './spec-schema.js';

type RawRecord = Record<string, unknown>;

function asRecord(value: unknown): RawRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RawRecord) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isIn<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

/** Problems with how the spec's fields fit together; empty when they fit. */
export function checkSpecRules(raw: unknown): SpecIssue[] {
  const spec = asRecord(raw);
  if (spec === undefined) return [];
  const issues: SpecIssue[] = [];
  const report = (segments: PathSegment[], message: string): void => {
    issues.push({ segments, message });
  };
  const task = isIn(TASK_TYPES, spec.task) ? spec.task : undefined;

  reportDuplicates(asArray(spec.successMetrics), 'id', ['successMetrics'], report);
  reportDuplicates(asArray(spec.segments), 'name', ['segments'], report);
  reportDuplicates(asArray(spec.stakeholders), 'name', ['stakeholders'], report);
  reportDuplicates(asArray(spec.monitors), 'name', ['monitors'], report);
  asArray(spec.monitors).forEach((monitor, index) => {
    const reference = asRecord(asRecord(monitor)?.reference);
    if (typeof reference?.since === 'string' && typeof reference.until === 'string' && !(Date.parse(reference.since) < Date.parse(reference.until))) {
      report(['monitors', index, 'reference', 'until'], `the reference period must end after it starts (${reference.since})`);
    }
  });

  asArray(spec.successMetrics).forEach((metric, index) => {
    checkSuccessMetric(asRecord(metric), ['successMetrics', index], report);
  });
  if (task !== undefined) {
    checkMlMetrics(asArray(spec.mlMetrics), task, report);
    if (spec.valueModel !== undefined) {
      issues.push(...parseSpecPart(VALUE_MODEL_SCHEMAS[task], spec.valueModel, ['valueModel']).issues);
    }
  }
  checkOwners(spec, report);
  for (const [name, dataset] of Object.entries(asRecord(spec.datasets) ?? {})) {
    asArray(asRecord(dataset)?.checks).forEach((check, index) => checkDataCheck(asRecord(check), ['datasets', name, 'checks', index], report));
  }
  return issues;
}

function checkDataCheck(check: RawRecord | undefined, path: PathSegment[], report: Report): void {
  if (check === undefined || (check.check !== 'range' && check.check !== 'row-count')) return;
  if (check.min === undefined && check.max === undefined) report(path, `a ${String(check.check)} check needs min, max or both`);
  if (typeof check.min === 'number' && typeof check.max === 'number' && check.min > check.max) {
    report([...path, 'min'], `min (${check.min}) is above max (${check.max})`);
  }
}

type Report = (path: PathSegment[], message: string) => void;

function reportDuplicates(items: unknown[], key: string, path: PathSegment[], report: Report): void {
  const firstIndex = new Map<unknown, number>();
  items.forEach((item, index) => {
    const value = asRecord(item)?.[key];
    if (typeof value !== 'string') return;
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    else report([...path, index, key], `duplicate ${key} "${value}" (first used at ${formatPath([...path, first])})`);
  });
}

function checkSuccessMetric(metric: RawRecord | undefined, path: PathSegment[], report: Report): void {
  if (metric === undefined) return;
  const kind = isIn(METRIC_KINDS, metric.kind) ? metric.kind : undefined;
  const source = asRecord(metric.source);
  if (source !== undefined && kind !== undefined) {
    if (kind === 'ratio') {
      if (source.event !== undefined || source.column !== undefined) {
        report([...path, 'source'], 'a ratio metric takes numerator and denominator, not event or column');
      }
      for (const part of ['numerator', 'denominator'] as const) {
        if (source[part] === undefined) report([...path, 'source', part], 'required for a ratio metric');
        else checkSourceRef(asRecord(source[part]), [...path, 'source', part], report);
      }
    } else {
      if (source.numerator !== undefined || source.denominator !== undefined) {
        report([...path, 'source'], `numerator and denominator are for ratio metrics; a ${kind} metric takes one event or column`);
      }
      checkSourceRef(source, [...path, 'source'], report);
    }
  }
  if (kind === 'quantile' && metric.quantile === undefined) {
    report([...path, 'quantile'], 'required for a quantile metric (for example 0.9)');
  }
  if (kind !== undefined && kind !== 'quantile' && metric.quantile !== undefined) {
    report([...path, 'quantile'], `only quantile metrics take a quantile; this metric is a ${kind}`);
  }
  if (metric.nonInferiorityMargin !== undefined && metric.role !== undefined && metric.role !== 'guardrail') {
    report([...path, 'nonInferiorityMargin'], 'only guardrail metrics take a non-inferiority margin');
  }
  const effect = asRecord(metric.minimumDetectableEffect);
  if (effect !== undefined) {
    const given = ['relative', 'absolute'].filter((scale) => effect[scale] !== undefined);
    if (given.length !== 1) {
      report([...path, 'minimumDetectableEffect'], 'give exactly one of relative or absolute');
    } else if (kind === 'proportion' && typeof effect.absolute === 'number' && effect.absolute >= 1) {
      report([...path, 'minimumDetectableEffect', 'absolute'], 'an absolute effect on a proportion must be below 1');
    }
  }
}

function checkSourceRef(ref: RawRecord | undefined, path: PathSegment[], report: Report): void {
  if (ref === undefined) return;
  const given = ['event', 'column'].filter((field) => ref[field] !== undefined);
  if (given.length !== 1) report(path, 'give exactly one of event or column');
}

function checkMlMetrics(targets: unknown[], task: TaskType, report: Report): void {
  const seen = new Set<string>();
  targets.forEach((item, index) => {
    const target = asRecord(item);
    if (target === undefined || typeof target.metric !== 'string') return;
    const path: PathSegment[] = ['mlMetrics', index];
    const definition = findMlMetric(target.metric);
    if (definition === undefined || !(definition.tasks as readonly string[]).includes(task)) {
      report([...path, 'metric'], `expected one of ${mlMetricsForTask(task).join(', ')} for a ${task} task`);
      return;
    }
    const key = `${target.metric}@${String(target.k)}`;
    if (seen.has(key)) report([...path, 'metric'], `duplicate target for ${target.metric}`);
    seen.add(key);
    if (definition.needsK === true && target.k === undefined) report([...path, 'k'], `required for ${target.metric}`);
    if (definition.needsK !== true && target.k !== undefined) report([...path, 'k'], `${target.metric} takes no k`);
    const value = target.target;
    if (typeof value === 'number' && definition.range !== undefined) {
      const [low, high] = definition.range;
      if (value < low || value > high) report([...path, 'target'], `${target.metric} lies in [${low}, ${high}]`);
    }
  });
}

function checkOwners(spec: RawRecord, report: Report): void {
  const owners = asRecord(spec.owners);
  if (owners === undefined) return;
  const names = new Set(
    asArray(spec.stakeholders)
      .map((person) => asRecord(person)?.name)
      .filter((name): name is string => typeof name === 'string'),
  );
  for (const [component, value] of Object.entries(owners)) {
    const owner = asRecord(value)?.owner;
    if (typeof owner === 'string' && owner.trim() !== '' && !names.has(owner)) {
      const known = names.size === 0 ? 'no stakeholders are listed' : `stakeholders are ${[...names].join(', ')}`;
      report(['owners', component, 'owner'], `"${owner}" is not a stakeholder (${known})`);
    }
  }
}
