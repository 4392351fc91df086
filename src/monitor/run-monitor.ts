/**
 * A monitor declared in the spec (`monitors:`), run window by window: `mlcycle monitor run` and the
 * server's scheduler compute every complete window not yet computed, store one result per window (the
 * monitor's time series) and raise an alert per failing check, deduplicated into incidents routed to the
 * owner. Phases: 1. find the new windows; 2. read and prepare the reference once; 3. per window, read it,
 * run the checks, store the result; 4. raise the alerts.
 *
 * Checks, each skipped when it has nothing to look at:
 * - `drift`: each watched column against the reference with Evidently's default test; threshold fixed
 *   (Evidently's) or from the reference's chunk-to-chunk spread (NannyML's); the window's data drifts when
 *   at least `driftShare` of its columns do;
 * - `predictions`: the window's scores against the serving version's offline evaluation (PSI, 0.1);
 * - `labels`: the labels that arrived for the window's units against the reference's label rate;
 * - `quality`: missing values above the reference's share plus 10% of it (Evidently's
 *   `TestShareOfMissingValues` default), more than 1% of values outside the reference's range or category
 *   set, values of the wrong type, and for time windows the volume against the previous windows' mean;
 * - `performance`: the labelled ROC AUC against the offline evaluation's, and before labels arrive the
 *   confidence-based estimate (metrics/cbpe.ts) with its interval;
 * - `health`: the share of failed requests and the p99 latency.
 */
import { MlcycleError } from '../error.js';
import { estimateBinaryPerformance, type CbpeResult } from '../metrics/cbpe.js';
import { rocAucScore } from '../metrics/roc-auc.js';
import type { MonitorCheck, MonitorSpec, ProblemSpec } from '../problem/spec-schema.js';
import { offlineScoreBins, scorePsi, type OfflineScores } from '../rollout/score-drift.js';
import { seededRandom } from '../stats/random.js';
import { profileLabels, profileNumbers, type ColumnProfile } from '../stats/sketch.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Incident, IncidentSeverity, MonitorResult } from '../store/monitor-store.js';
import type { Workspace } from '../store/workspace.js';
import { resolveModelUri } from '../tracking/registry/model-uri.js';
import { setModelTag } from '../tracking/registry/register-model.js';
import { INCIDENT_TAG } from './check-drift.js';
import type { ColumnDrift } from './column-drift.js';
import { readReference, readWindow, watchedPredictions, type ColumnValues, type WindowBounds, type WindowSample } from './monitor-samples.js';
import { driftAgainst, prepareColumn, referenceChunks, spreadThreshold, withoutChunk, type PreparedColumn } from './prepared-drift.js';

/** One measured quantity of a check, with the threshold it was held to. */
export interface Measure {
  name: string;
  value: number | null;
  /** Alert when the value is above (or below) this; null when there is none to hold it to. */
  threshold: number | null;
  direction: 'above' | 'below';
  /** Where the threshold came from: a fixed default or setting, or the reference's chunk-to-chunk spread. */
  source: 'fixed' | 'reference';
  alerting: boolean;
  detail?: string;
}

export interface CheckResult {
  check: MonitorCheck;
  status: 'ok' | 'alert' | 'skipped';
  severity: IncidentSeverity;
  summary: string;
  measures: Measure[];
}

/** The stored result of one window: the monitor's time series is the list of these. */
export interface WindowReport {
  kind: 'window';
  window: { index: number; start: string; end: string; rows: number; versions: Record<string, number> };
  reference: { description: string; rows: number };
  checks: CheckResult[];
  /** Drift of each column, with the test and threshold used. */
  columns: (ColumnDrift & { thresholdSource: 'fixed' | 'reference' })[];
  /** The confidence-based estimate of the window's performance, before (and beside) its labels. */
  estimated: CbpeResult | null;
  /** Each watched column's mergeable profile (stats/sketch.ts): windows merge into days and months without their rows. */
  profiles: Record<string, ColumnProfile>;
  /** The window's ROC AUC beside the offline one of the version that served most of it (for the board). */
  performance: { version: number | null; offlineRocAuc: number | null; rocAuc: number | null; labelled: number } | null;
}

export interface MonitorRun {
  monitor: string;
  windows: { result: MonitorResult; report: WindowReport }[];
  incidents: { incident: Incident; opened: boolean }[];
  /** Why no window was computed, when none was. */
  waiting: string | null;
}

/** The spec's monitor of that name, or a clear error listing the declared ones. */
export function findMonitor(spec: ProblemSpec, name: string): MonitorSpec {
  const monitor = spec.monitors.find((each) => each.name === name);
  if (monitor === undefined) {
    throw new MlcycleError('not_found', `no monitor "${name}" in the spec's monitors (${spec.monitors.length === 0 ? 'none is declared: add one under monitors: or with mlcycle monitor add' : spec.monitors.map((each) => each.name).join(', ')})`);
  }
  return monitor;
}

/** Windows per run at most, so that a scheduler tick stays bounded; the next run continues. */
const MAX_WINDOWS = 50;
const HOUR_MS = 3_600_000;

interface PlannedWindow {
  index: number;
  bounds: WindowBounds;
}

/** The complete windows after the last stored one. */
async function newWindows(workspace: Workspace, engine: AnalyticsEngine, monitor: MonitorSpec, now: Date): Promise<{ windows: PlannedWindow[]; waiting: string | null }> {
  const [last] = await workspace.monitors.listResults({ monitor: monitor.name, limit: 1 });
  const lastIndex = last === undefined ? -1 : ((last.report as Partial<WindowReport>).window?.index ?? -1);
  const relation = await workspace.events.relation();
  let stats: { n: number; first: string | null };
  try {
    const [row] = await engine.query(`SELECT count(*)::DOUBLE AS n, strftime(min(time), '%Y-%m-%dT%H:%M:%S.%gZ') AS first FROM (${watchedPredictions(relation.sql, monitor.model)})`);
    stats = { n: Number(row?.n ?? 0), first: row?.first === null || row?.first === undefined ? null : String(row.first) };
  } finally {
    relation.release();
  }
  if (stats.n === 0 || stats.first === null) return { windows: [], waiting: `no predictions of ${monitor.model} are in the event log yet` };
  const windows: PlannedWindow[] = [];
  if ('rows' in monitor.window) {
    const size = monitor.window.rows;
    const complete = Math.floor(stats.n / size);
    for (let index = lastIndex + 1; index < complete && windows.length < MAX_WINDOWS; index++) windows.push({ index, bounds: { firstRow: index * size, rows: size } });
    if (windows.length === 0) return { windows, waiting: `${stats.n - complete * size} of the next window's ${size} predictions are logged` };
    return { windows, waiting: null };
  }
  // Time windows are aligned to UTC hours or days, counted from the first prediction's.
  const length = monitor.window.every === 'hour' ? HOUR_MS : 24 * HOUR_MS;
  const origin = Math.floor(Date.parse(stats.first) / length) * length;
  const complete = Math.floor((now.getTime() - origin) / length);
  for (let index = lastIndex + 1; index < complete && windows.length < MAX_WINDOWS; index++) {
    windows.push({ index, bounds: { since: new Date(origin + index * length).toISOString(), until: new Date(origin + (index + 1) * length).toISOString() } });
  }
  if (windows.length === 0) return { windows, waiting: `the current ${monitor.window.every} ends at ${new Date(origin + (lastIndex + 2) * length).toISOString()}` };
  return { windows, waiting: null };
}

interface PreparedReference {
  description: string;
  rows: number;
  columns: Map<string, PreparedColumn>;
  labels: PreparedColumn | null;
  /** Thresholds from the reference's spread, by column and chunk size. */
  spread: Map<string, number | null>;
}

function labelColumn(labels: Float64Array): ColumnValues {
  return { kind: 'categorical', values: Array.from(labels, (label) => (Number.isNaN(label) ? null : String(label))), invalid: 0 };
}

/** Runs a monitor's new windows. `now` bounds the time windows (only ended ones are computed). */
export async function runMonitor(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, monitor: MonitorSpec, context: ChangeContext, options: { now?: Date } = {}): Promise<MonitorRun> {
  const planned = await newWindows(workspace, engine, monitor, options.now ?? new Date());
  if (planned.windows.length === 0) return { monitor: monitor.name, windows: [], incidents: [], waiting: planned.waiting };
  const target = spec.target.column;
  const sample = await readReference(workspace, engine, monitor, spec);
  const reference: PreparedReference = {
    description: sample.description,
    rows: sample.rows,
    columns: new Map([...sample.columns].map(([name, column]) => [name, prepareColumn(column)])),
    labels: sample.labels === null ? null : prepareColumn(labelColumn(sample.labels)),
    spread: new Map(),
  };
  const kinds = new Map([...reference.columns].map(([name, column]) => [name, column.kind] as const));
  const offline = new Map<number, OfflineScores | undefined>();
  const results: MonitorRun['windows'] = [];
  const incidents: MonitorRun['incidents'] = [];
  const previousVolumes = (await workspace.monitors.listResults({ monitor: monitor.name, limit: 7 })).map((result) => (result.report as Partial<WindowReport>).window?.rows).filter((rows): rows is number => typeof rows === 'number');
  for (const plan of planned.windows) {
    const window = await readWindow(workspace, engine, monitor, plan.bounds, target, kinds);
    for (const version of window.versions.keys()) if (!offline.has(version)) offline.set(version, await offlineScoreBins(workspace, monitor.model, version));
    const serving = [...window.versions].sort((a, b) => b[1] - a[1])[0]?.[0];
    const report = checkWindow(monitor, spec, reference, window, plan.index, offline, previousVolumes);
    previousVolumes.unshift(window.rows);
    previousVolumes.length = Math.min(previousVolumes.length, 7);
    const alerting = report.checks.filter((check) => check.status === 'alert');
    const result = await workspace.monitors.recordResult(monitor.name, alerting.length > 0, report, context);
    results.push({ result, report });
    for (const check of alerting) incidents.push(await raiseAlert(workspace, spec, monitor, check, report, serving, context));
  }
  return { monitor: monitor.name, windows: results, incidents, waiting: null };
}

/** Runs every check of one window. Pure but for the clock-free random draws of the estimate (seeded by the window's index). */
function checkWindow(monitor: MonitorSpec, spec: ProblemSpec, reference: PreparedReference, window: WindowSample, index: number, offline: ReadonlyMap<number, OfflineScores | undefined>, previousVolumes: readonly number[]): WindowReport {
  const wants = new Set(monitor.checks);
  const checks: CheckResult[] = [];
  const columns: WindowReport['columns'] = [];
  const thresholdFor = (name: string, column: PreparedColumn, scoreKind: 'p-value' | 'distance'): number | null => {
    if (monitor.thresholds === 'fixed' || scoreKind === 'p-value') return null;
    const key = `${name}:${Math.round(window.rows / 100)}`;
    if (!reference.spread.has(key)) {
      // A dataset's rows in random chunks, a period of logged requests in time-ordered ones; seeded by the column's name.
      const chunks = referenceChunks(column, window.rows, monitor.referenceChunks, typeof monitor.reference === 'string' ? 'random' : 'contiguous', seededRandom(seedOf(name)));
      // A chunk of more than 1% of the reference is compared with the rest of it (withoutChunk); a smaller one with all of it.
      const separate = window.rows > 0.01 * column.raw.length;
      reference.spread.set(key, spreadThreshold(chunks.map((chunk) => driftAgainst(name, separate ? withoutChunk(column, chunk) : column, chunk).score))?.threshold ?? null);
    }
    return reference.spread.get(key) ?? null;
  };
  const driftOf = (name: string, column: PreparedColumn, current: ColumnValues): ColumnDrift & { thresholdSource: 'fixed' | 'reference' } => {
    const fixed = driftAgainst(name, column, current);
    const spread = thresholdFor(name, column, fixed.scoreKind);
    // Too short a reference for chunks of the window's size keeps the fixed threshold.
    if (spread === null) return { ...fixed, thresholdSource: 'fixed' };
    return { ...fixed, threshold: spread, drifted: fixed.score >= spread, thresholdSource: 'reference' };
  };
  const measureOf = (drift: ColumnDrift & { thresholdSource: 'fixed' | 'reference' }, name = drift.column): Measure => ({
    name,
    value: drift.score,
    threshold: drift.threshold,
    direction: drift.scoreKind === 'p-value' ? 'below' : 'above',
    source: drift.thresholdSource,
    alerting: drift.drifted,
    detail: `${drift.test} on ${drift.currentCount} values against ${drift.referenceCount}`,
  });

  if (wants.has('drift')) {
    const measures: Measure[] = [];
    for (const [name, column] of reference.columns) {
      const current = window.columns.get(name);
      if (current === undefined || countPresent(current) === 0) continue;
      const drift = driftOf(name, column, current);
      columns.push(drift);
      measures.push(measureOf(drift));
    }
    const drifted = measures.filter((measure) => measure.alerting).map((measure) => measure.name);
    const share = measures.length === 0 ? 0 : drifted.length / measures.length;
    const datasetDrift = measures.length > 0 && share >= monitor.driftShare;
    measures.push({ name: 'drifted share', value: share, threshold: monitor.driftShare, direction: 'above', source: 'fixed', alerting: datasetDrift });
    checks.push(
      measures.length <= 1
        ? skipped('drift', 'no watched column has values in the window')
        : {
            check: 'drift',
            status: drifted.length > 0 ? 'alert' : 'ok',
            severity: datasetDrift ? 'critical' : 'warning',
            summary: drifted.length === 0 ? `no drift in ${measures.length - 1} columns` : `${datasetDrift ? 'data drift' : 'column drift'}: ${drifted.length} of ${measures.length - 1} columns (${drifted.join(', ')})`,
            measures,
          },
    );
  }

  const scores = window.scores.filter(Number.isFinite);
  if (wants.has('predictions')) {
    // Each version's scores against its own offline evaluation: a window may span a rollout.
    const measures: Measure[] = [];
    for (const [version, rows] of window.versions) {
      const bins = offline.get(version);
      if (bins === undefined || rows < 100) continue;
      const own = window.scores.filter((score, row) => window.rowVersions[row] === version && Number.isFinite(score));
      const psi = scorePsi(bins.bins, own);
      measures.push({ name: `version ${version} score PSI`, value: psi, threshold: 0.1, direction: 'above', source: 'fixed', alerting: psi >= 0.1, detail: `${own.length} scores against evaluation ${bins.evaluation} on ${bins.dataset}; 0.1 to 0.25 is a moderate shift, above 0.25 a significant one` });
    }
    const alerting = measures.filter((measure) => measure.alerting);
    checks.push(
      measures.length === 0
        ? skipped('predictions', 'no version with 100 scores in the window has an offline evaluation to compare them with')
        : { check: 'predictions', status: alerting.length > 0 ? 'alert' : 'ok', severity: 'warning', summary: `prediction drift: ${measures.map((measure) => `${measure.name} ${measure.value?.toFixed(4)}`).join(', ')}`, measures },
    );
  }

  const labelled = window.labels.filter((label) => !Number.isNaN(label)).length;
  if (wants.has('labels')) {
    if (reference.labels === null) checks.push(skipped('labels', `the reference holds no "${spec.target.column}" labels`));
    else if (labelled < monitor.minLabels) checks.push(skipped('labels', `${labelled} of at least ${monitor.minLabels} labels have arrived`));
    else {
      const drift = driftOf(spec.target.column, reference.labels, labelColumn(window.labels));
      const positives = window.labels.reduce((sum, label) => sum + (label === 1 ? 1 : 0), 0);
      checks.push({
        check: 'labels',
        status: drift.drifted ? 'alert' : 'ok',
        severity: 'warning',
        summary: `${drift.drifted ? 'label drift' : 'labels'}: ${((positives / labelled) * 100).toFixed(1)}% positive of ${labelled} against ${(referenceRate(reference.labels) * 100).toFixed(1)}% in the reference`,
        measures: [measureOf(drift, `${spec.target.column} rate`)],
      });
    }
  }

  if (wants.has('quality')) checks.push(qualityCheck(monitor, reference, window, previousVolumes));

  let estimated: CbpeResult | null = null;
  let performance: WindowReport['performance'] = null;
  if (wants.has('performance')) {
    const measures: Measure[] = [];
    // The offline ROC AUC of the version that served most of the window.
    const serving = [...window.versions].sort((a, b) => b[1] - a[1])[0]?.[0];
    const offlineAuc = (serving === undefined ? undefined : offline.get(serving))?.rocAuc ?? null;
    const floor = offlineAuc === null ? null : offlineAuc - monitor.maxRocAucDrop;
    if (scores.length > 0 && scores.length === window.rows && scores.every((score) => score >= 0 && score <= 1)) {
      estimated = estimateBinaryPerformance(window.scores, seededRandom(index + 1), { decisions: window.decisions });
      const upper = estimated.rocAuc.upper;
      // Before labels: an alert only when even the interval's top is under the floor.
      measures.push({ name: 'estimated ROC AUC', value: estimated.rocAuc.estimate, threshold: floor, direction: 'below', source: 'fixed', alerting: floor !== null && upper < floor, detail: `CBPE, 95% interval [${estimated.rocAuc.lower.toFixed(4)}, ${upper.toFixed(4)}]` });
    }
    if (labelled >= monitor.minLabels) {
      const rows = [...window.labels.keys()].filter((row) => !Number.isNaN(window.labels[row] as number) && Number.isFinite(window.scores[row] as number));
      const labels = rows.map((row) => window.labels[row] as number);
      const auc = labels.includes(1) && labels.includes(0) ? rocAucScore(labels, rows.map((row) => window.scores[row] as number)) : null;
      measures.push({ name: 'ROC AUC', value: auc, threshold: floor, direction: 'below', source: 'fixed', alerting: auc !== null && floor !== null && auc < floor, detail: `${labels.length} labelled predictions; offline ${offlineAuc?.toFixed(4) ?? 'unknown'} minus ${monitor.maxRocAucDrop}` });
    }
    performance = { version: serving ?? null, offlineRocAuc: offlineAuc, rocAuc: measures.find((measure) => measure.name === 'ROC AUC')?.value ?? null, labelled };
    const alerting = measures.filter((measure) => measure.alerting);
    checks.push(
      measures.length === 0
        ? skipped('performance', `${labelled} labels and no probability scores to estimate from`)
        : { check: 'performance', status: alerting.length > 0 ? 'alert' : 'ok', severity: 'critical', summary: measures.map((measure) => `${measure.name} ${measure.value?.toFixed(4) ?? 'n/a'}`).join(', ') + (floor === null ? ' (no offline ROC AUC to hold it to)' : ` against a floor of ${floor.toFixed(4)}`), measures },
    );
  }

  if (wants.has('health')) {
    const requests = window.rows + window.errors;
    const errorRate = requests === 0 ? 0 : window.errors / requests;
    const latencies = window.latencies.filter(Number.isFinite).sort();
    const p99 = latencies.length === 0 ? null : (latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] as number);
    const measures: Measure[] = [
      { name: 'error rate', value: errorRate, threshold: monitor.maxErrorRate, direction: 'above', source: 'fixed', alerting: errorRate > monitor.maxErrorRate, detail: `${window.errors} of ${requests} requests failed` },
      { name: 'p99 latency ms', value: p99, threshold: monitor.maxLatencyP99Ms ?? null, direction: 'above', source: 'fixed', alerting: p99 !== null && monitor.maxLatencyP99Ms !== undefined && p99 > monitor.maxLatencyP99Ms },
    ];
    const alerting = measures.filter((measure) => measure.alerting);
    checks.push({ check: 'health', status: alerting.length > 0 ? 'alert' : 'ok', severity: 'critical', summary: `error rate ${(errorRate * 100).toFixed(2)}%, p99 latency ${p99 === null ? 'n/a' : `${p99.toFixed(1)} ms`}`, measures });
  }

  return {
    kind: 'window',
    window: { index, start: window.start, end: window.end, rows: window.rows, versions: Object.fromEntries([...window.versions].map(([version, rows]) => [String(version), rows])) },
    reference: { description: reference.description, rows: reference.rows },
    checks,
    columns,
    estimated,
    performance,
    profiles: Object.fromEntries([...window.columns].map(([name, column]) => [name, column.kind === 'numeric' ? profileNumbers(column.values, seededRandom(seedOf(`${name}:${index}`))) : profileLabels(column.values)])),
  };
}

function referenceRate(labels: PreparedColumn): number {
  if (labels.kind !== 'categorical') return NaN;
  return (labels.counts.get('1') ?? 0) / Math.max(labels.rows, 1);
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  return hash >>> 0;
}

function skipped(check: MonitorCheck, summary: string): CheckResult {
  return { check, status: 'skipped', severity: 'warning', summary, measures: [] };
}

function countPresent(column: ColumnValues): number {
  let present = 0;
  if (column.kind === 'numeric') for (const value of column.values) present += Number.isNaN(value) ? 0 : 1;
  else for (const value of column.values) present += value === null ? 0 : 1;
  return present;
}

/** The share of values outside the reference's range or category set above which a window alerts. */
const OUT_OF_REFERENCE_SHARE = 0.01;

function qualityCheck(monitor: MonitorSpec, reference: PreparedReference, window: WindowSample, previousVolumes: readonly number[]): CheckResult {
  const measures: Measure[] = [];
  if (window.rows > 0) {
    for (const [name, column] of reference.columns) {
      const current = window.columns.get(name);
      if (current === undefined) continue;
      const referenceMissing = column.missing / Math.max(column.raw.length, 1);
      const missing = (current.values.length - countPresent(current)) / window.rows;
      const allowed = referenceMissing * 1.1;
      measures.push({ name: `${name} missing share`, value: missing, threshold: allowed, direction: 'above', source: 'reference', alerting: missing > allowed });
      let outside = 0;
      if (column.kind === 'numeric' && current.kind === 'numeric') {
        for (const value of current.values) if (value < column.min || value > column.max) outside += 1;
      } else if (column.kind === 'categorical' && current.kind === 'categorical') {
        for (const value of current.values) if (value !== null && !column.counts.has(value)) outside += 1;
      }
      const present = Math.max(countPresent(current), 1);
      measures.push({ name: `${name} ${column.kind === 'numeric' ? 'out-of-range' : 'new-category'} share`, value: outside / present, threshold: OUT_OF_REFERENCE_SHARE, direction: 'above', source: 'fixed', alerting: outside / present > OUT_OF_REFERENCE_SHARE, detail: column.kind === 'numeric' ? `reference range [${column.min}, ${column.max}]` : `${column.counts.size} reference categories` });
      if (current.invalid > 0) measures.push({ name: `${name} wrong type`, value: current.invalid, threshold: 0, direction: 'above', source: 'fixed', alerting: true, detail: `${current.invalid} values are not ${column.kind === 'numeric' ? 'numbers' : 'categories'}` });
    }
  }
  if ('every' in monitor.window) {
    if (previousVolumes.length === 0) measures.push({ name: 'volume', value: window.rows, threshold: null, direction: 'above', source: 'fixed', alerting: false, detail: 'the first window: nothing to compare its volume with' });
    else {
      const expected = previousVolumes.reduce((sum, rows) => sum + rows, 0) / previousVolumes.length;
      const change = expected === 0 ? (window.rows === 0 ? 0 : Infinity) : Math.abs(window.rows - expected) / expected;
      measures.push({ name: 'volume change', value: change, threshold: monitor.volumeTolerance, direction: 'above', source: 'fixed', alerting: change > monitor.volumeTolerance, detail: `${window.rows} predictions against a mean of ${expected.toFixed(0)} over the previous ${previousVolumes.length} windows` });
    }
  }
  const alerting = measures.filter((measure) => measure.alerting);
  if (measures.length === 0) return skipped('quality', 'the window holds no predictions');
  return { check: 'quality', status: alerting.length > 0 ? 'alert' : 'ok', severity: 'warning', summary: alerting.length === 0 ? `${measures.length} data-quality measures within bounds` : alerting.map((measure) => `${measure.name} ${measure.value?.toPrecision(3)}`).join(', '), measures };
}

/** Opens (or adds to) the check's incident, routed to its owner; a new incident also tags the model's latest version. */
async function raiseAlert(workspace: Workspace, spec: ProblemSpec, monitor: MonitorSpec, check: CheckResult, report: WindowReport, serving: number | undefined, context: ChangeContext): Promise<{ incident: Incident; opened: boolean }> {
  // Service health pages the endpoint's owner; model performance the model's; the rest the monitor's.
  const owner = check.check === 'health' ? (spec.owners.endpoint ?? spec.owners.model) : check.check === 'performance' ? (spec.owners.model ?? spec.owners.monitor) : (spec.owners.monitor ?? spec.owners.model);
  const title = `${monitor.name}: ${check.summary} in window ${report.window.index} (${report.window.start} to ${report.window.end}, ${report.window.rows} predictions) against ${report.reference.description}`;
  const raised = await workspace.monitors.raiseIncident({ source: `monitor:${monitor.name}`, dedupeKey: `monitor:${monitor.name}:${check.check}`, title, severity: check.severity, owner: owner?.owner ?? null, onCall: owner?.onCall ?? null }, context);
  if (raised.opened) {
    const version =
      serving !== undefined && (await workspace.registry.findVersion(monitor.model, serving)) !== undefined
        ? { model: monitor.model, version: serving }
        : await resolveModelUri(workspace.registry, `models:/${monitor.model}/latest`).catch((error: unknown) => {
            if (error instanceof MlcycleError && error.code === 'not_found') return null;
            throw error;
          });
    if (version !== null) await setModelTag(workspace, { model: version.model, version: version.version }, INCIDENT_TAG, `incident ${raised.incident.id}: ${title}`.slice(0, 5000), context);
  }
  return raised;
}

/** Runs the named monitor, or every declared one. */
export async function runMonitors(workspace: Workspace, engine: AnalyticsEngine, spec: ProblemSpec, name: string | undefined, context: ChangeContext, options: { now?: Date } = {}): Promise<MonitorRun[]> {
  const monitors = name === undefined ? spec.monitors : [findMonitor(spec, name)];
  const runs: MonitorRun[] = [];
  for (const monitor of monitors) runs.push(await runMonitor(workspace, engine, spec, monitor, context, options));
  return runs;
}
