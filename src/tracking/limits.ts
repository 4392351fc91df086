/**
 * Names and limits of tracked values, MLflow's so that an MLflow client's data fits unchanged. Source:
 * mlflow/mlflow, `mlflow/utils/validation.py` (MAX_PARAM_VAL_LENGTH = 6000, MAX_TAG_VAL_LENGTH = 5000,
 * MAX_ENTITY_KEY_LENGTH = 250, MAX_EXPERIMENT_NAME_LENGTH = 500, MAX_METRICS_PER_BATCH = 1000,
 * MAX_PARAMS_TAGS_PER_BATCH = 100, MAX_ENTITIES_PER_BATCH = 1000, MAX_DATASET_NAME_SIZE = 500,
 * MAX_INPUT_TAG_VALUE_SIZE = 500; names match `^[/\w.\- ]*$` and must not resolve to another path).
 * Unlike MLflow, long values are refused, never truncated.
 */
import { MlcycleError, type InputIssue } from '../error.js';

export const TRACKING_LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  experimentNameLength: 500,
  runNameLength: 250,
  datasetNameLength: 500,
  /** mlcycle's digests are SHA-256 hex (64); MLflow's own are 36 at most, so 64 holds both. */
  datasetDigestLength: 64,
  datasetContextLength: 500,
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
} as const;

const NAME_PATTERN = /^[/\w.\- ]*$/;
const RUN_ID_PATTERN = /^[0-9a-f]{32}$/;

/** True when a name normalises to another path (`a//b`, `./a`, `a/`, `..`): MLflow's `path_not_unique`. */
function resolvesElsewhere(name: string): boolean {
  if (name.startsWith('/') || name.endsWith('/') || name === '.' || name === '..') return true;
  return name.split('/').some((part) => part === '' || part === '.' || part === '..');
}

/** The problem with a metric, param or tag key, or undefined when it is valid. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string' || key === '') return 'a key name must be given';
  if (key.length > TRACKING_LIMITS.keyLength) return `has ${key.length} characters, more than the limit of ${TRACKING_LIMITS.keyLength}`;
  if (!NAME_PATTERN.test(key)) return 'names may only contain letters, digits, underscores, dashes, periods, spaces and slashes';
  if (resolvesElsewhere(key)) return 'names are used as paths and must not resolve to another name (no empty, . or .. parts, no leading or trailing /)';
  return undefined;
}

/** Collects issues for entries under a field path, e.g. `params.lr`; the caller throws them together. */
export class IssueList {
  readonly issues: InputIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Throws every collected issue in one invalid_input error. */
  throwIfAny(what: string): void {
    if (this.issues.length === 0) return;
    const first = this.issues[0] as InputIssue;
    const more = this.issues.length > 1 ? ` (and ${this.issues.length - 1} more)` : '';
    throw new MlcycleError('invalid_input', `${what}: ${first.path}: ${first.message}${more}`, { issues: this.issues });
  }
}

function checkKey(issues: IssueList, path: string, key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) issues.add(path, problem);
}

function checkString(issues: IssueList, path: string, value: unknown, limit: number): void {
  if (typeof value !== 'string') issues.add(path, `expected a string, got ${typeof value}`);
  else if (value.length > limit) issues.add(path, `has ${value.length} characters, more than the limit of ${limit}`);
}

/** Validates params (keys, value lengths, batch size); throws all problems at once. */
export function validateParams(params: Record<string, unknown>): asserts params is Record<string, string> {
  const issues = new IssueList();
  const entries = Object.entries(params);
  if (entries.length > TRACKING_LIMITS.paramsPerBatch) issues.add('params', `a batch holds at most ${TRACKING_LIMITS.paramsPerBatch} params, got ${entries.length}`);
  for (const [key, value] of entries) {
    checkKey(issues, `params.${key}`, key);
    checkString(issues, `params.${key}`, value, TRACKING_LIMITS.paramValueLength);
  }
  issues.throwIfAny('invalid params');
}

/** Validates tags the way params are validated, with the tag value limit. */
export function validateTags(tags: Record<string, unknown>): asserts tags is Record<string, string> {
  const issues = new IssueList();
  const entries = Object.entries(tags);
  if (entries.length > TRACKING_LIMITS.tagsPerBatch) issues.add('tags', `a batch holds at most ${TRACKING_LIMITS.tagsPerBatch} tags, got ${entries.length}`);
  for (const [key, value] of entries) {
    checkKey(issues, `tags.${key}`, key);
    checkString(issues, `tags.${key}`, value, TRACKING_LIMITS.tagValueLength);
  }
  issues.throwIfAny('invalid tags');
}

/** Validates one metric key; the caller caches keys it has seen, so the hot path checks each key once. */
export function validateMetricKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new MlcycleError('invalid_input', `metrics.${key}: ${problem}`, { issues: [{ path: `metrics.${key}`, message: problem }] });
}

/** The problem with a metric point's numbers: a finite integer step, a non-negative integer timestamp. */
export function metricPointProblem(value: unknown, step: unknown, timestamp: unknown): string | undefined {
  if (typeof value !== 'number') return `the value must be a number, got ${typeof value}`;
  if (typeof step !== 'number' || !Number.isSafeInteger(step)) return `the step must be a whole number, got ${String(step)}`;
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) return `the timestamp must be whole milliseconds since 1970, got ${String(timestamp)}`;
  return undefined;
}

/** Validates an experiment name. */
export function validateExperimentName(name: unknown): asserts name is string {
  const issues = new IssueList();
  if (typeof name !== 'string' || name.trim() === '') issues.add('experiment', 'an experiment name must be given');
  else checkString(issues, 'experiment', name, TRACKING_LIMITS.experimentNameLength);
  issues.throwIfAny('invalid experiment');
}

/** Validates a run name. */
export function validateRunName(name: unknown): asserts name is string {
  const issues = new IssueList();
  if (typeof name !== 'string' || name.trim() === '') issues.add('name', 'a run name must not be empty');
  else checkString(issues, 'name', name, TRACKING_LIMITS.runNameLength);
  issues.throwIfAny('invalid run');
}

/** Refuses anything but 32 lowercase hex digits, so an id never reaches a query or a path unchecked. */
export function validateRunId(id: unknown, path = 'run'): asserts id is string {
  if (typeof id !== 'string' || !RUN_ID_PATTERN.test(id)) {
    throw new MlcycleError('invalid_input', `${path}: "${String(id)}" is not a run id (32 lowercase hex digits)`, { issues: [{ path, message: 'not a run id' }] });
  }
}
