/**
 * Data gathering benchmarks (issue 3), mlcycle against DuckDB itself on the same files in the same run:
 * - data.flights-add-s: registering flights-3m.parquet (3,000,000 rows) against DuckDB's own
 *   `COPY (SELECT * FROM read_parquet(...)) TO ... (FORMAT parquet)`; target ratio <= 1.5 and <= 5 s;
 * - data.csv-1m-add-s: registering a generated 1,000,000-row, 20-column CSV against DuckDB's own
 *   `CREATE TABLE AS SELECT * FROM read_csv(...)`; target ratio <= 2;
 * - data.flights-validate-10-checks-s: ten checks on the 3,000,000 flights; target under 2 s;
 * - data.wide-3000-add-s: registering (reading, storing, profiling) a generated 10,000-row x 3,000-column
 *   numeric CSV against pandas' `read_csv` of the same file (Debian python3-pandas); target under 10 s.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { addDataset } from '../src/data/add-dataset.js';
import { validateDataset } from '../src/data/validate-dataset.js';
import { vegaDataFile } from '../src/demo/flight-data.js';
import { FLIGHT_DELAY_SPEC } from '../src/demo/flight-delay-spec.js';
import { initProject } from '../src/problem/init-project.js';
import { validateSpec } from '../src/problem/validate-spec.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { defaultChangeContext } from '../src/store/audit-log.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import type { Workspace } from '../src/store/workspace.js';
import { medianSeconds, report } from './report.js';

const RUNS = 3;
const FLIGHT_CHECKS = [
  { check: 'not-null', column: 'date' },
  { check: 'not-null', column: 'delay' },
  { check: 'not-null', column: 'origin' },
  { check: 'not-null', column: 'destination' },
  { check: 'range', column: 'distance', min: 0, max: 6000 },
  { check: 'range', column: 'delay', min: -1440, max: 2880 },
  { check: 'allowed-values', column: 'origin', values: ['ATL', 'ORD', 'DFW', 'LAX', 'PHX'], severity: 'warning' },
  { check: 'unique', columns: ['date', 'origin', 'destination', 'delay', 'distance'], severity: 'warning' },
  { check: 'row-count', min: 1000000 },
  { check: 'freshness', maxAgeDays: 36500 },
];

/** Generates the 1,000,000 x 20 CSV with DuckDB: ints, floats, categories, short strings and nulls. */
async function writeWideCsv(file: string): Promise<void> {
  const engine = await openDuckDb();
  const columns: string[] = [];
  for (let index = 0; index < 20; index++) {
    const kind = index % 5;
    if (kind === 0) columns.push(`(hash(i, ${index}) % 100000)::BIGINT AS int_${index}`);
    else if (kind === 1) columns.push(`((hash(i, ${index}) % 1000000) / 1000.0)::DOUBLE AS float_${index}`);
    else if (kind === 2) columns.push(`'category_' || (hash(i, ${index}) % 40) AS cat_${index}`);
    else if (kind === 3) columns.push(`CASE WHEN hash(i, ${index}) % 10 = 0 THEN NULL ELSE (hash(i, ${index}) % 1000)::BIGINT END AS sparse_${index}`);
    else columns.push(`md5(i::VARCHAR || '${index}')[1:12] AS code_${index}`);
  }
  await engine.run(`COPY (SELECT ${columns.join(', ')} FROM range(1000000) AS t(i)) TO ${quoteLiteral(file)} (FORMAT csv, HEADER)`);
  await engine.close();
}

/** Writes a rows x columns CSV of small integers and decimals, as a one-hot or sensor export would have. */
async function writeVeryWideCsv(file: string, rows: number, columns: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${Array.from({ length: columns }, (_, index) => `x${index}`).join(',')}\n`);
  for (let row = 0; row < rows; row++) {
    const cells = new Array<string>(columns);
    for (let index = 0; index < columns; index++) {
      const value = (row * 7919 + index * 104729) % 1009;
      cells[index] = index % 3 === 0 ? String(value % 2) : index % 3 === 1 ? String(value) : (value / 8).toFixed(3);
    }
    await write(`${cells.join(',')}\n`);
  }
  out.end();
  await once(out, 'finish');
}

/** data.wide-3000-add-s: one registration of the 10,000 x 3,000 CSV against pandas reading it. */
export async function benchWideData(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-wide-'));
  try {
    const csv = path.join(scratch, 'wide-3000.csv');
    await writeVeryWideCsv(csv, 10_000, 3000);
    const pandasSeconds = Number(
      execFileSync('/usr/bin/python3', ['-c', 'import sys, time, pandas\nstart = time.perf_counter()\npandas.read_csv(sys.argv[1])\nprint(time.perf_counter() - start)', csv], { encoding: 'utf8' }).trim(),
    );
    const context = defaultChangeContext();
    const { workspace } = await initProject(path.join(scratch, 'workspace'), { context });
    const engine = await openDuckDb();
    const started = performance.now();
    const { version } = await addDataset(workspace, engine, undefined, { file: csv, name: 'wide' }, context);
    const addSeconds = (performance.now() - started) / 1000;
    if (version.columns.length !== 3000 || version.rowCount !== 10_000) throw new Error('the wide file was not read whole');
    report('data.wide-3000-add-s', addSeconds, pandasSeconds);
    await engine.close();
    await workspace.close();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Times `addDataset` on a fresh workspace each run (so the content is new each time). */
async function timeAdd(scratch: string, file: string, name: string, timeColumn?: string): Promise<number> {
  let workspace: Workspace | undefined;
  let run = 0;
  const engine = await openDuckDb();
  const context = defaultChangeContext();
  const seconds = await medianSeconds(
    RUNS,
    async () => addDataset(workspace as Workspace, engine, undefined, { file, name, ...(timeColumn === undefined ? {} : { timeColumn }) }, context),
    async () => {
      await workspace?.close();
      workspace = (await initProject(path.join(scratch, `add-${name}-${run++}`), { context })).workspace;
    },
  );
  await workspace?.close();
  await engine.close();
  return seconds;
}

/** Runs the data benchmarks and prints their summary lines. */
export async function benchData(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-data-'));
  try {
    const flights = vegaDataFile('flights-3m.parquet');
    const reference = await openDuckDb();
    const copySeconds = await medianSeconds(RUNS, () =>
      reference.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(flights)})) TO ${quoteLiteral(path.join(scratch, 'copy.parquet'))} (FORMAT parquet)`),
    );
    const addSeconds = await timeAdd(scratch, flights, 'flights', 'date');
    report('data.flights-add-s', addSeconds, copySeconds);

    const csv = path.join(scratch, 'wide.csv');
    await writeWideCsv(csv);
    const readSeconds = await medianSeconds(
      RUNS,
      () => reference.run(`CREATE OR REPLACE TABLE wide AS SELECT * FROM read_csv(${quoteLiteral(csv)})`),
    );
    await reference.run('DROP TABLE IF EXISTS wide');
    const csvAddSeconds = await timeAdd(scratch, csv, 'wide');
    report('data.csv-1m-add-s', csvAddSeconds, readSeconds);
    await reference.close();

    const raw = parse(FLIGHT_DELAY_SPEC) as { datasets: Record<string, { checks?: unknown[] }> };
    raw.datasets.flights = { ...raw.datasets.flights, checks: FLIGHT_CHECKS };
    const { spec } = validateSpec(raw);
    if (spec === undefined) throw new Error('the benchmark spec is invalid');
    const context = defaultChangeContext();
    const { workspace } = await initProject(path.join(scratch, 'validate'), { context });
    const engine = await openDuckDb();
    const { version } = await addDataset(workspace, engine, spec, { file: flights, name: 'flights', timeColumn: 'date' }, context);
    let passed = true;
    const validateSeconds = await medianSeconds(RUNS, async () => {
      const validation = await validateDataset(workspace, engine, spec, undefined, version, context);
      passed &&= validation.outcomes.length === FLIGHT_CHECKS.length;
    });
    if (!passed) throw new Error('validation did not run every check');
    report('data.flights-validate-10-checks-s', validateSeconds);
    await engine.close();
    await workspace.close();
    await benchWideData();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
