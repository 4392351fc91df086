/** Text forms of runs: a list with chosen value columns, one run in full, and runs side by side. */
import { keyRecord, ownValue } from '../key-record.js';
import type { FilterExpression, FilterField } from '../store/run-filter.js';
import type { ArtifactEntry, Run } from '../store/run-store.js';
import { formatField } from '../tracking/search/format-filter.js';
import { formatTable } from './output.js';

/** A number as people read it: six significant digits, NaN and infinities spelled out. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

function formatTime(milliseconds: number | undefined): string {
  return milliseconds === undefined ? '' : new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `1m 05s`, `3.2s`; empty while the run has no end. */
export function formatDuration(run: Run): string {
  if (run.endTime === undefined) return '';
  const seconds = (run.endTime - run.startTime) / 1000;
  if (seconds < 60) return `${Number(seconds.toFixed(1))}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m ${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The value a run has for a field, as text; empty when it has none. */
export function fieldText(run: Run, field: FilterField): string {
  switch (field.entity) {
    case 'metric': {
      const metric = ownValue(run.metrics, field.key);
      return metric === undefined ? '' : formatNumber(metric.value);
    }
    case 'param':
      return ownValue(run.params, field.key) ?? '';
    case 'tag':
      return ownValue(run.tags, field.key) ?? '';
    case 'dataset':
      return run.inputs.map((input) => (field.key === 'name' ? input.dataset : field.key === 'digest' ? input.digest.slice(0, 12) : input.context)).join(', ');
    case 'attribute': {
      const values: Record<string, string | number | undefined> = {
        run_id: run.id,
        run_name: run.name,
        status: run.status,
        user_id: run.userId,
        experiment_id: run.experimentId,
        parent_run_id: run.parentRunId,
        git_commit: run.gitCommit,
        start_time: formatTime(run.startTime),
        end_time: formatTime(run.endTime),
      };
      return String(values[field.key] ?? '');
    }
  }
}

/** Every metric, param and tag field a filter names, in order of first mention. */
export function filterFields(filter: FilterExpression | undefined): FilterField[] {
  if (filter === undefined) return [];
  if (filter.kind === 'comparison') return filter.field.entity === 'attribute' ? [] : [filter.field];
  return filter.operands.flatMap(filterFields);
}

/** Runs as a table: id, experiment, name, status, start, duration, then one column per field. */
export function formatRunList(runs: readonly Run[], experimentNames: ReadonlyMap<string, string>, fields: readonly FilterField[]): string {
  const unique = fields.filter((field, index) => fields.findIndex((other) => formatField(other) === formatField(field)) === index);
  const rows = [['run', 'experiment', 'name', 'status', 'started', 'duration', ...unique.map(formatField)]];
  for (const run of runs) {
    rows.push([
      run.id.slice(0, 12),
      experimentNames.get(run.experimentId) ?? run.experimentId,
      run.name,
      run.status,
      formatTime(run.startTime),
      formatDuration(run),
      ...unique.map((field) => fieldText(run, field)),
    ]);
  }
  return formatTable(rows);
}

function section(title: string, rows: string[][]): string[] {
  return rows.length === 0 ? [] : ['', title, formatTable(rows.map((row) => ['', ...row]))];
}

/** One run in full: what, when, where from, params, latest metrics, tags, inputs and top-level artifacts. */
export function formatRunDetails(run: Run, experimentName: string, artifacts: readonly ArtifactEntry[]): string {
  const ended = run.endTime === undefined ? 'still running' : `ended ${formatTime(run.endTime)} (${formatDuration(run)})`;
  const lines = [
    `run ${run.id} "${run.name}" in experiment ${experimentName}${run.lifecycleStage === 'deleted' ? ' (deleted)' : ''}`,
    `${run.status}: started ${formatTime(run.startTime)} by ${run.userId}, ${ended}`,
  ];
  if (run.parentRunId !== undefined) lines.push(`parent run: ${run.parentRunId}`);
  if (run.gitCommit !== undefined) lines.push(`git commit: ${run.gitCommit}`);
  if (run.command !== undefined) lines.push(`command: ${run.command}`);
  lines.push(...section('params', Object.entries(run.params).map(([key, value]) => [key, value])));
  lines.push(...section('metrics (latest)', Object.entries(run.metrics).map(([key, metric]) => [key, formatNumber(metric.value), `step ${metric.step}`])));
  lines.push(...section('tags', Object.entries(run.tags).map(([key, value]) => [key, value])));
  lines.push(...section('inputs', run.inputs.map((input) => [input.versionRef ?? input.dataset, input.context === '' ? '-' : input.context, input.digest.slice(0, 12)])));
  lines.push(...section('artifacts', artifacts.map((entry) => [entry.isDir ? `${entry.path}/` : entry.path, entry.size === undefined ? '' : `${entry.size.toLocaleString('en-US')} bytes`])));
  return lines.join('\n');
}

export interface RunComparison {
  runs: { id: string; name: string; status: string }[];
  params: Record<string, (string | null)[]>;
  metrics: Record<string, (number | null)[]>;
  /** Keys (`params.lr`, `metrics.auc`) whose values are not all the same. */
  differing: string[];
}

/** Params and latest metrics of runs side by side; a key a run lacks is null for it. */
export function compareRuns(runs: readonly Run[]): RunComparison {
  const paramKeys = [...new Set(runs.flatMap((run) => Object.keys(run.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((run) => Object.keys(run.metrics)))].sort();
  const params = keyRecord(paramKeys.map((key) => [key, runs.map((run) => ownValue(run.params, key) ?? null)]));
  const metrics = keyRecord(metricKeys.map((key) => [key, runs.map((run) => ownValue(run.metrics, key)?.value ?? null)]));
  const differs = (values: readonly (string | number | null)[]) => new Set(values.map((value) => String(value))).size > 1;
  const differing = [
    ...paramKeys.filter((key) => differs(params[key] as (string | null)[])).map((key) => `params.${key}`),
    ...metricKeys.filter((key) => differs(metrics[key] as (number | null)[])).map((key) => `metrics.${key}`),
  ];
  return { runs: runs.map((run) => ({ id: run.id, name: run.name, status: run.status })), params, metrics, differing };
}

/** The comparison as a table, a `*` before each row whose values differ. */
export function formatComparison(comparison: RunComparison): string {
  const marked = new Set(comparison.differing);
  const rows = [['', '', ...comparison.runs.map((run) => run.id.slice(0, 12))], ['', 'name', ...comparison.runs.map((run) => run.name)], ['', 'status', ...comparison.runs.map((run) => run.status)]];
  for (const [key, values] of Object.entries(comparison.params)) rows.push([marked.has(`params.${key}`) ? '*' : '', `params.${key}`, ...values.map((value) => value ?? '')]);
  for (const [key, values] of Object.entries(comparison.metrics)) rows.push([marked.has(`metrics.${key}`) ? '*' : '', `metrics.${key}`, ...values.map((value) => (value === null ? '' : formatNumber(value)))]);
  return formatTable(rows);
}
