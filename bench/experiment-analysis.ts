/**
 * `npm run bench -- experiment`, the analysis figure (experiment.analysis-10m-s): an online experiment of
 * 10,000,000 exposures and 10,000,000 outcome events, held in the event log as a sealed Parquet file of
 * the log's own format, analysed from the log to the decision (analyzeOnlineExperiment: exposures per
 * unit, the attribution window, the spec's metrics in DuckDB, the stats engine). The reference is pandas
 * doing the same aggregation (bench/experiment-analysis-reference.py) on the same records in the same
 * run, its CSV read excluded; the two must agree on every count and sum or the benchmark fails. Needs the
 * Debian package python3-pandas (installed here with apt-get when missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeOnlineExperiment } from '../src/experiment/online-analysis.js';
import { checkExperimentDefinition } from '../src/experiment/online-definition.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { EVENT_COLUMNS } from '../src/store/event-store.js';
import { SegmentEventReader } from '../src/store/local-events/segment-event-store.js';
import { sealedName } from '../src/store/local-events/segment-files.js';
import { medianSeconds, report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const UNITS = 10_000_000;
const OUTCOMES = 10_000_000;
const HOURS = 24;

const SPEC = {
  randomizationUnit: 'passenger_id',
  segments: [{ name: 'region', column: 'region', description: 'region' }],
  successMetrics: [
    { id: 'rebooked', description: '', kind: 'proportion', source: { event: 'rebooked_before_gate' }, direction: 'increase', minimumDetectableEffect: { relative: 0.05 }, role: 'primary' },
    { id: 'engagement', description: '', kind: 'ratio', source: { numerator: { event: 'alert_opened' }, denominator: { event: 'alert_sent' } }, direction: 'increase', minimumDetectableEffect: { relative: 0.03 }, role: 'secondary' },
    { id: 'muted', description: '', kind: 'proportion', source: { event: 'alerts_muted' }, direction: 'decrease', minimumDetectableEffect: { absolute: 0.005 }, role: 'guardrail', nonInferiorityMargin: 0.02 },
  ],
} as unknown as Parameters<typeof analyzeOnlineExperiment>[2]['spec'];

function ensurePandas(): void {
  if (spawnSync('/usr/bin/python3', ['-c', 'import pandas']).status === 0) return;
  console.log('experiment: installing python3-pandas (apt-get) for the reference');
  execFileSync('apt-get', ['install', '-y', 'python3-pandas'], { stdio: 'inherit' });
}

/** Runs the analysis figure and prints its summary line. */
export async function benchExperimentAnalysis(): Promise<void> {
  ensurePandas();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-experiment-'));
  const events = path.join(folder, 'events');
  mkdirSync(events);
  const engine = await openDuckDb();
  try {
    const columns = EVENT_COLUMNS.map(({ column, sql }) => `NULL::${sql} AS ${column}`);
    const base = "TIMESTAMPTZ '2026-06-01 00:00:00+00'";
    const exposureValues: Record<string, string> = {
      type: "'exposure'",
      time: `${base} + to_seconds(i // 40)`,
      unit: "'u' || i",
      experiment: "'bench'",
      phase: '1',
      arm: "CASE WHEN hash(i) % 2 = 0 THEN 'control' ELSE 'treatment' END",
      attributes: `'{"region":"R' || (i % 10) || '"}'`,
    };
    const outcomeValues: Record<string, string> = {
      type: "'outcome'",
      unit: "'u' || (hash(i * 7 + 1) % " + UNITS + ')',
      name: "CASE hash(i * 13 + 5) % 4 WHEN 0 THEN 'rebooked_before_gate' WHEN 1 THEN 'alert_opened' WHEN 2 THEN 'alert_sent' ELSE 'alerts_muted' END",
      value: '1',
    };
    const select = (values: Record<string, string>, count: number, time: string) =>
      `SELECT ${EVENT_COLUMNS.map(({ column, sql }, index) => (column === 'time' ? `(${time})::TIMESTAMPTZ AS time` : values[column] === undefined ? columns[index] : `(${values[column]})::${sql} AS ${column}`)).join(', ')} FROM range(${count}) t(i)`;
    const generated = performance.now();
    // Outcomes land within 30 hours of the unit's exposure second: some after the 24-hour window.
    const outcomeTime = `${base} + to_seconds((hash(i * 7 + 1) % ${UNITS}) // 40 + hash(i * 3) % (30 * 3600))`;
    await engine.run(`COPY (${select(exposureValues, UNITS, exposureValues.time as string)} UNION ALL ${select(outcomeValues, OUTCOMES, outcomeTime)} ORDER BY time) TO ${quoteLiteral(path.join(events, sealedName(1, 1)))} (FORMAT parquet)`);
    await engine.run(`COPY (SELECT unit, arm, strftime(time, '%Y-%m-%dT%H:%M:%S.%fZ') AS time, json_extract_string(attributes, '$.region') AS segment FROM read_parquet(${quoteLiteral(path.join(events, '*.parquet'))}) WHERE type = 'exposure') TO ${quoteLiteral(path.join(folder, 'exposures.csv'))} (HEADER)`);
    await engine.run(`COPY (SELECT unit, name, strftime(time, '%Y-%m-%dT%H:%M:%S.%fZ') AS time FROM read_parquet(${quoteLiteral(path.join(events, '*.parquet'))}) WHERE type = 'outcome') TO ${quoteLiteral(path.join(folder, 'outcomes.csv'))} (HEADER)`);
    console.log(`experiment: wrote ${(UNITS + OUTCOMES).toLocaleString('en-US')} log records in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
    const reader = new SegmentEventReader(events);
    const definition = checkExperimentDefinition({ endpoint: 'flight-delay', arms: [{ id: 'control', model: 'm@champion', weight: 0.5 }, { id: 'treatment', model: 'm@challenger', weight: 0.5 }], attributionHours: HOURS, segment: 'region' });
    console.log(`experiment: machine load before timing ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
    let result: Awaited<ReturnType<typeof analyzeOnlineExperiment>> | undefined;
    const seconds = await medianSeconds(3, async () => (result = await analyzeOnlineExperiment(engine, reader, { name: 'bench', phase: 1, definition, spec: SPEC })));
    console.log(`experiment: mlcycle from the log to the decision: ${seconds.toFixed(2)} s (median of 3)`);
    const output = execFileSync('/usr/bin/python3', [path.join(here, 'experiment-analysis-reference.py'), path.join(folder, 'exposures.csv'), path.join(folder, 'outcomes.csv'), String(HOURS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const pandas = JSON.parse(output) as { seconds: number; statistics: { multipleExposures: number; arms: Record<string, Record<string, number>> } };
    const statistics = result?.statistics;
    if (statistics === undefined) throw new Error('no analysis');
    let compared = 0;
    for (const [arm, expected] of Object.entries(pandas.statistics.arms)) {
      const rebooked = statistics.metrics.rebooked?.arms[arm] as { n: number; successes: number };
      const muted = statistics.metrics.muted?.arms[arm] as { successes: number };
      const ratio = statistics.metrics.engagement?.arms[arm] as { numeratorSum: number; denominatorSum: number; numeratorDenominatorSum: number };
      const pairs: [string, number, number | undefined][] = [
        ['n', rebooked.n, expected.n],
        ['rebooked', rebooked.successes, expected.rebooked_before_gate],
        ['muted', muted.successes, expected.alerts_muted],
        ['opened', ratio.numeratorSum, expected.opened_sum],
        ['sent', ratio.denominatorSum, expected.sent_sum],
        ['opened x sent', ratio.numeratorDenominatorSum, expected.opened_sent],
      ];
      for (const [what, ours, theirs] of pairs) {
        if (ours !== theirs) throw new Error(`experiment: ${arm} ${what}: mlcycle ${ours} but pandas ${String(theirs)}`);
        compared += 1;
      }
    }
    console.log(`experiment: mlcycle and pandas agree on all ${compared} counts and sums; ${result?.exposedUnits.toLocaleString('en-US')} exposed units; machine load after ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
    for (const decision of result?.analysis.decisions ?? []) console.log(`experiment: ${decision.arm}: ${decision.decision}`);
    report('experiment.analysis-10m-s', seconds, pandas.seconds);
  } finally {
    await engine.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
