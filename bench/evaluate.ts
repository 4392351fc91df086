/**
 * Offline evaluation (issue 8): 1,000 bootstrap resamples of ROC AUC on 1,000,000 real flights (May and
 * June 2001 from vega-datasets, label delay > 15) scored by the LightGBM flights model of
 * test/data/lightgbm-models, read by mlcycle's importer. mlcycle sorts once and draws Poisson
 * counts per row (src/evaluate/sorted-binary.ts); the reference is scikit-learn's roc_auc_score on rows
 * resampled with replacement, as a Python user would write it. Prints evaluate.bootstrap-auc-1m-s.
 *
 * scikit-learn needs about a second per resample on a million rows here, so 1,000 of them take a quarter
 * of an hour: MLCYCLE_BENCH_REFERENCE_RESAMPLES=N times N resamples and scales the time to 1,000 (linear
 * in resamples: every resample is the same work), and says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vegaDataFile } from '../src/demo/flight-data.js';
import { bootstrapAuc } from '../src/evaluate/bootstrap-metrics.js';
import { parseLightgbmText } from '../src/models/import/lightgbm-text.js';
import { predictEnsemble } from '../src/models/trees/tree-ensemble.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { TEST_DATA } from '../test/support/test-data.js';
import { report } from './report.js';

const ROWS = 1_000_000;
const RESAMPLES = 1000;
const here = path.dirname(fileURLToPath(import.meta.url));
const MODEL = path.join(TEST_DATA, 'lightgbm-models', 'flights.model.txt');
const FEATURES = ['month', 'day', 'weekday', 'hour', 'minute', 'distance', 'origin', 'destination'];

/** The first million May-June flights in the LightGBM model's feature coding, with their labels. */
async function flightScores(): Promise<{ labels: Float64Array; scores: Float64Array }> {
  const engine = await openDuckDb();
  try {
    const source = `read_parquet(${quoteLiteral(vegaDataFile('flights-3m.parquet'))})`;
    await engine.run(`CREATE TEMP TABLE codes AS SELECT code, (row_number() OVER (ORDER BY code) - 1)::DOUBLE AS id FROM (SELECT origin AS code FROM ${source} UNION SELECT destination FROM ${source})`);
    const columns = await engine.columns(`SELECT (delay > 15)::DOUBLE AS label, month(date)::DOUBLE AS month, day(date)::DOUBLE AS day, dayofweek(date)::DOUBLE AS weekday,
        hour(date)::DOUBLE AS hour, minute(date)::DOUBLE AS minute, distance::DOUBLE AS distance, o.id AS origin, d.id AS destination
      FROM ${source} f JOIN codes o ON o.code = f.origin JOIN codes d ON d.code = f.destination
      WHERE month(date) >= 5 ORDER BY date, f.origin, f.destination, distance, delay LIMIT ${ROWS}`);
    const rowMajor = new Float64Array(ROWS * FEATURES.length);
    FEATURES.forEach((name, feature) => {
      const column = columns[name] as Float64Array;
      for (let row = 0; row < ROWS; row++) rowMajor[row * FEATURES.length + feature] = column[row] as number;
    });
    const model = parseLightgbmText(readFileSync(MODEL, 'utf8'), MODEL);
    return { labels: columns.label as Float64Array, scores: predictEnsemble(model.ensemble, rowMajor, ROWS) };
  } finally {
    await engine.close();
  }
}

/** Runs the evaluation benchmark and prints its summary line. */
export async function benchEvaluate(): Promise<void> {
  const { labels, scores } = await flightScores();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-evaluate-'));
  try {
    const file = path.join(folder, 'scores.f64');
    const both = new Float64Array(2 * ROWS);
    both.set(labels);
    both.set(scores, ROWS);
    writeFileSync(file, Buffer.from(both.buffer));
    const cpu = process.cpuUsage();
    const start = performance.now();
    const estimate = bootstrapAuc(labels, scores, undefined, { resamples: RESAMPLES, seed: 1 });
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = process.cpuUsage(cpu).user / 1e6;
    const referenceResamples = Number(process.env.MLCYCLE_BENCH_REFERENCE_RESAMPLES ?? RESAMPLES);
    const reference = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'evaluate-reference.py'), file, String(ROWS), String(referenceResamples)], { encoding: 'utf8' })) as {
      seconds: number;
      auc: number;
      lower: number;
      upper: number;
    };
    const referenceSeconds = (reference.seconds * RESAMPLES) / referenceResamples;
    console.log(`mlcycle: auc ${estimate.estimate.toFixed(6)} [${estimate.lower.toFixed(5)}, ${estimate.upper.toFixed(5)}] from ${RESAMPLES} Poisson resamples in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s of CPU; load average ${os.loadavg()[0]?.toFixed(1)})`);
    console.log(
      `scikit-learn: auc ${reference.auc.toFixed(6)} [${reference.lower.toFixed(5)}, ${reference.upper.toFixed(5)}] from ${referenceResamples} resamples in ${reference.seconds.toFixed(2)} s` +
        (referenceResamples === RESAMPLES ? '' : `, scaled to ${RESAMPLES}: ${referenceSeconds.toFixed(1)} s`),
    );
    report('evaluate.bootstrap-auc-1m-s', seconds, referenceSeconds);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
