/**
 * `npm run bench -- ui`: the web UI in headless Chromium (Debian's, as the browser tests) over a workspace
 * of 50,000 runs, three of them with 1,000,000-point loss histories. Prints the page's time (from the
 * action to the content on screen) beside the API's time for the same view (the browser's resource timing
 * of its /api/v1 requests): the runs page's first page, a sort by a metric, and a comparison chart of the
 * three long runs (histories downsampled on the server). The targets are issue 22's (1 s, 300 ms, 1 s).
 * The workspace is built once and kept in the system's temporary folder (MLCYCLE_BENCH_UI_RUNS runs, default
 * 50,000); delete mlcycle-bench-ui-* there to rebuild it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { buildServer } from '../src/server/app.js';
import { defaultUiDirectory } from '../src/server/ui-routes.js';
import { createWorkspace, openWorkspace, type Workspace } from '../src/store/workspace.js';
import { searchRunsByText } from '../src/tracking/find-runs.js';

const RUNS = Number(process.env.MLCYCLE_BENCH_UI_RUNS ?? 50_000);
const LONG_POINTS = 1_000_000;
const CHROMIUM = process.env.MLCYCLE_CHROMIUM ?? '/usr/bin/chromium';

function aucOf(index: number): number {
  return 0.6 + 0.35 * (((index * 7919) % RUNS) / RUNS);
}

/** The bench's workspace: built on first use (minutes), reused after. Returns the ids of the long runs. */
async function benchWorkspace(): Promise<{ workspace: Workspace; long: string[] }> {
  const root = path.join(os.tmpdir(), `mlcycle-bench-ui-${RUNS}`);
  const context = { actor: 'bench', now: () => new Date() };
  const done = path.join(root, 'built.json');
  if (existsSync(done)) {
    const workspace = await openWorkspace(root, context);
    const long = (await searchRunsByText(workspace.runs, { filter: "tags.history = 'long'", maxResults: 3 })).runs.map((run) => run.id);
    return { workspace, long };
  }
  mkdirSync(root, { recursive: true });
  const { workspace } = await createWorkspace(root, 'bench-ui', context);
  const experiment = await workspace.runs.ensureExperiment('flights', context);
  const started = performance.now();
  const long: string[] = [];
  for (let index = 0; index < RUNS; index++) {
    const run = await workspace.runs.createRun({ experimentId: experiment.id, name: `run-${index}`, startTime: Date.parse('2026-01-01T00:00:00Z') + index * 1000, tags: index < 3 ? { history: 'long' } : {} }, context);
    const points = index < 3 ? LONG_POINTS : 20;
    const steps = Float64Array.from({ length: points }, (_, step) => step);
    const loss = Float64Array.from({ length: points }, (_, step) => 0.7 / (1 + step / (points / 20)) + 0.01 * Math.sin(step / 7 + index));
    await workspace.runs.logBatch(
      run.id,
      {
        params: { model: index % 3 === 0 ? 'logistic' : 'gbdt', depth: String(3 + (index % 6)), learning_rate: String(0.05 * (1 + (index % 4))) },
        metrics: [
          { key: 'auc', steps: Float64Array.of(0), timestamps: Float64Array.of(0), values: Float64Array.of(aucOf(index)) },
          { key: 'loss', steps, timestamps: steps, values: loss },
        ],
      },
      context,
    );
    if (index < 3) long.push(run.id);
    if ((index + 1) % 5000 === 0) console.log(`  built ${index + 1} of ${RUNS} runs (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(done, JSON.stringify({ runs: RUNS }));
  return { workspace, long };
}

/** The longest duration, in seconds, of the page's requests whose URL contains `part` since `after` (ms). */
async function apiSeconds(page: Page, part: string, after: number): Promise<number> {
  const durations = await page.evaluate(
    ({ part: wanted, after: since }) =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes(wanted) && entry.startTime >= since)
        .map((entry) => entry.duration),
    { part, after },
  );
  if (durations.length === 0) throw new Error(`the page made no request to ${part}`);
  return Math.max(...durations) / 1000;
}

function line(name: string, pageSeconds: number, api: number, target: number): void {
  const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`BENCH ui.${name} mlcycle=${pageSeconds.toFixed(3)} api=${api.toFixed(3)} target=${target} (load ${load})`);
}

export async function benchUi(): Promise<void> {
  if (defaultUiDirectory() === undefined) throw new Error('the web UI is not built: npm run build');
  const { workspace, long } = await benchWorkspace();
  const app = buildServer({ workspace });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Warm the server and the browser's cache of the UI's files once, as a user who opened the UI before.
    await page.goto(`${url}/runs`);
    await page.locator('table.runs tbody tr').first().waitFor({ timeout: 120_000 });

    let t0 = Date.now();
    await page.goto(`${url}/runs`);
    await page.locator('table.runs tbody tr').nth(49).waitFor({ timeout: 120_000 });
    line('runs-first-page-s', (Date.now() - t0) / 1000, await apiSeconds(page, '/api/v1/runs/search', 0), 1);

    const best = `run-${[...Array(RUNS).keys()].reduce((top, index) => (aucOf(index) > aucOf(top) ? index : top), 0)}`;
    const sinceSort = await page.evaluate(() => performance.now());
    t0 = Date.now();
    await page.locator('th button', { hasText: /^auc/ }).click();
    await page.locator('table.runs tbody tr:first-child td:nth-child(2)', { hasText: new RegExp(`^${best}$`) }).waitFor({ timeout: 120_000 });
    line('runs-sort-s', (Date.now() - t0) / 1000, await apiSeconds(page, '/api/v1/runs/search', sinceSort), 0.3);

    t0 = Date.now();
    await page.goto(`${url}/runs/compare?runs=${long.join(',')}&metric=loss`);
    await page.locator('figure.chart[data-drawn="yes"]').waitFor({ timeout: 120_000 });
    const caption = await page.locator('figure.chart figcaption').textContent();
    if (!(caption ?? '').includes('of 3,000,000 points')) throw new Error(`the chart does not show the three 1M-point histories: ${caption}`);
    line('chart-3x1m-s', (Date.now() - t0) / 1000, await apiSeconds(page, '/metrics/loss', 0), 1);
  } finally {
    await browser.close();
    await app.close();
    await workspace.close();
  }
}
