/**
 * One exploration benchmark case, run in its own process so that its peak memory is its own:
 * `tsx bench/explore-case.ts flights|synthetic SCRATCH_DIR`. Prints JSON: seconds, peak RSS in MiB, and the
 * CSV it wrote for the pandas floor.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { addDataset } from '../src/data/add-dataset.js';
import { vegaDataFile } from '../src/demo/flight-data.js';
import { FLIGHT_DELAY_SPEC } from '../src/demo/flight-delay-spec.js';
import { profileDataset } from '../src/explore/profile-dataset.js';
import { renderProfileReport } from '../src/explore/report/render-report.js';
import { initProject } from '../src/problem/init-project.js';
import { validateSpec } from '../src/problem/validate-spec.js';
import { quoteLiteral } from '../src/store/analytics.js';
import { defaultChangeContext } from '../src/store/audit-log.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';

const [which = 'flights', scratch = '.'] = process.argv.slice(2);
const engine = await openDuckDb();
const context = defaultChangeContext();
const { workspace } = await initProject(path.join(scratch, `explore-${which}`), { context });
let file: string;
let specText = FLIGHT_DELAY_SPEC;
if (which === 'flights') {
  file = vegaDataFile('flights-3m.parquet');
} else {
  // 1,000,000 rows: 30 numeric and 20 categorical columns, each value missing with probability 5%.
  file = path.join(scratch, 'synthetic.parquet');
  const columns: string[] = [];
  for (let index = 0; index < 30; index++) {
    const value = index % 3 === 0 ? `(hash(i, ${index}) % 1000)::DOUBLE / 10 + (i % 97)` : index % 3 === 1 ? `ln(1 + (hash(i, ${index}) % 100000))` : `(hash(i, ${index}) % 50)::BIGINT`;
    columns.push(`CASE WHEN hash(i, ${index + 100}) % 20 = 0 THEN NULL ELSE ${value} END AS num_${index}`);
  }
  for (let index = 0; index < 20; index++) {
    columns.push(`CASE WHEN hash(i, ${index + 200}) % 20 = 0 THEN NULL ELSE 'level_' || (hash(i, ${index + 300}) % ${3 + index * 2}) END AS cat_${index}`);
  }
  columns.push(`(hash(i, 999) % 10 < 3 OR (i % 97) > 80) AS label`);
  await engine.run(`COPY (SELECT ${columns.join(', ')} FROM range(1000000) AS t(i)) TO ${quoteLiteral(file)} (FORMAT parquet)`);
  const raw = parse(FLIGHT_DELAY_SPEC) as Record<string, unknown>;
  raw.target = { column: 'label', positive: true };
  raw.datasets = {};
  specText = JSON.stringify(raw);
}
const { spec } = validateSpec(JSON.parse(JSON.stringify(parse(specText))));
if (spec === undefined) throw new Error('benchmark spec is invalid');
const { version } = await addDataset(workspace, engine, spec, { file, name: which }, context);
const csv = path.join(scratch, `${which}.csv`);
await engine.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(workspace.artifacts.localPath(version.artifactKey))})) TO ${quoteLiteral(csv)} (FORMAT csv, HEADER)`);
const start = performance.now();
const profile = await profileDataset(engine, workspace, version, spec, { now: new Date() });
await writeFile(path.join(scratch, `${which}.html`), await renderProfileReport(profile));
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ seconds, peakMiB: process.resourceUsage().maxRSS / 1024, csv, strawman: profile.strawman?.verdict ?? profile.strawmanNote ?? null }));
await engine.close();
await workspace.close();
