/**
 * The main job: the flight-delay alert product's lifecycle, stage by stage, on real data. Each landed
 * stage adds its step here; the demo must run at every landing.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addDataset } from '../data/add-dataset.js';
import { deriveDataset } from '../data/derive.js';
import { splitDataset } from '../data/split.js';
import { validateDataset } from '../data/validate-dataset.js';
import { loadOrProfile } from '../explore/profile-dataset.js';
import { renderProfileReport } from '../explore/report/render-report.js';
import { readBoard } from '../lifecycle.js';
import type { Board } from '../problem/board.js';
import { initProject } from '../problem/init-project.js';
import { loadSpec, requireValidSpec } from '../problem/load-spec.js';
import type { ChangeContext } from '../store/audit-log.js';
import { openDuckDb } from '../store/duckdb/engine.js';
import { ENRICH_FLIGHTS_SQL, vegaDataFile } from './flight-data.js';
import { evaluateDemoModels } from './evaluate-demo-models.js';
import { runDemoMonitor } from './monitor-demo.js';
import { runDemoAbTest } from './ab-test-demo.js';
import { DEMO_ROLLOUT, runDemoRollout } from './rollout-demo.js';
import { serveDemoTraffic } from './serve-demo-traffic.js';
import { linkDemoReference, runSurveyAndDesign } from './survey-design-demo.js';
import { DEMO_MODEL, registerDemoModels, type DemoRegistration } from './track-demo-models.js';
import { trainDemoModels } from './train-demo-models.js';
import { FLIGHT_DELAY_SPEC } from './flight-delay-spec.js';

export interface DemoOptions {
  /** The folder to run in; a new temporary folder by default. Existing files there are kept. */
  dir?: string;
  context: ChangeContext;
  /** Progress lines for the person watching. */
  log: (line: string) => void;
}

export interface DemoResult {
  root: string;
  board: Board;
}

function rows(count: number): string {
  return count.toLocaleString('en-US');
}

function versionOf(registrations: readonly DemoRegistration[], alias: DemoRegistration['alias']): string {
  const found = registrations.find((registration) => registration.alias === alias);
  return found === undefined ? `${DEMO_MODEL}@${alias}` : `${DEMO_MODEL}/${found.version}`;
}

/** Runs every stage the demo has so far and returns the resulting board. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { context, log } = options;
  const root = options.dir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'mlcycle-demo-')) : path.resolve(options.dir);
  log(`mlcycle demo: alert passengers about likely flight delays, in ${root}`);
  const { workspace, specWritten } = await initProject(root, { name: 'flight-delay-alerts', specText: FLIGHT_DELAY_SPEC, context });
  const engine = await openDuckDb();
  try {
    log(specWritten ? 'stage 1: wrote the problem spec mlcycle.yaml' : 'stage 1: kept the existing mlcycle.yaml');
    const specCheck = await loadSpec(workspace.specFile);
    const spec = requireValidSpec(specCheck);
    const specHash = specCheck.exists ? specCheck.hash : undefined;

    const flights = await addDataset(workspace, engine, spec, { file: vegaDataFile('flights-3m.parquet'), name: 'flights', timeColumn: 'date' }, context);
    log(`stage 2: flights ${flights.version.ref}, ${rows(flights.version.rowCount)} rows`);
    const airports = await addDataset(workspace, engine, spec, { file: vegaDataFile('airports.csv'), name: 'airports' }, context);
    await validateDataset(workspace, engine, spec, specHash, airports.version, context);
    const enriched = await deriveDataset(
      workspace,
      engine,
      spec,
      { name: 'flights-enriched', inputs: { flights: flights.version.ref, airports: airports.version.ref }, sql: ENRICH_FLIGHTS_SQL, timeColumn: 'date' },
      context,
    );
    log(`stage 2: joined origin states and regions: ${enriched.version.ref}`);
    const split = await splitDataset(
      workspace,
      engine,
      spec,
      { ref: enriched.version.ref, by: 'time', parts: [{ name: 'train' }, { name: 'validation' }, { name: 'live' }], cuts: ['2001-05-01', '2001-06-01'], seed: 0, prefix: 'flights' },
      context,
    );
    for (const part of split.parts) {
      const validation = await validateDataset(workspace, engine, spec, specHash, part.version, context);
      const failed = validation.outcomes.filter((outcome) => !outcome.passed).length;
      log(`stage 2: ${part.part} ${part.version.ref}, ${rows(part.version.rowCount)} rows, ${validation.outcomes.length} checks, ${failed} failed`);
    }
    const train = split.parts.find((part) => part.part === 'train');
    if (train !== undefined) {
      const { profile } = await loadOrProfile(engine, workspace, train.version, spec, { now: context.now() }, context);
      const report = path.join(workspace.stateDir, 'reports', `${train.version.ref.replace('@', '-')}.html`);
      await mkdir(path.dirname(report), { recursive: true });
      await writeFile(report, await renderProfileReport(profile));
      log(`stage 3: profiled ${train.version.ref} in ${profile.seconds.toFixed(1)} s, ${profile.alerts.length} alerts; ${profile.strawman?.verdict ?? profile.strawmanNote ?? ''}`);
      log(`stage 3: report ${report}`);
    }
    const validation = split.parts.find((part) => part.part === 'validation');
    const live = split.parts.find((part) => part.part === 'live');
    if (train !== undefined && validation !== undefined) {
      await runSurveyAndDesign(workspace, engine, spec, { training: train.version, live: live?.version }, context, log);
    }
    if (train !== undefined && validation !== undefined) {
      const models = await trainDemoModels(workspace, context, log);
      for (const { name, result } of models.runs) {
        const timing = result.cached ? 'from the step cache' : `${result.steps.reduce((sum, step) => sum + step.seconds, 0).toFixed(1)} s`;
        log(`stage 6: ${name}: validation AUC ${(result.metrics.roc_auc ?? NaN).toFixed(4)} (run ${result.runId.slice(0, 8)}, ${timing})`);
      }
      const rollout = await workspace.rollouts.find(DEMO_ROLLOUT);
      const registrations = await registerDemoModels(workspace, models, context, rollout?.state === 'completed' ? `rollout ${DEMO_ROLLOUT}` : undefined);
      for (const registration of registrations) {
        if (registration.movedBy !== undefined) log(`stage 6: models:/${DEMO_MODEL}/${registration.version} was @${registration.alias} until ${registration.movedBy} moved it on (stage 9)`);
        else log(`stage 6: models:/${DEMO_MODEL}/${registration.version} is @${registration.alias}${registration.registered ? ' (registered now)' : ' (unchanged)'}`);
      }
      await linkDemoReference(workspace, models, context, log);
      // Stages 7 and 8 name the versions stage 6 registered: after a rollout the aliases point elsewhere.
      const versions = { champion: versionOf(registrations, 'champion'), challenger: versionOf(registrations, 'challenger') };
      const evaluated = await evaluateDemoModels(workspace, engine, spec, validation.version.ref, live?.version.ref, versions, context, log);
      if (live !== undefined) {
        await serveDemoTraffic(workspace, engine, evaluated, live.version.ref, versions.champion, context, log);
        await runDemoAbTest(workspace, engine, spec, evaluated, live.version.ref, context, log);
        await runDemoRollout(workspace, engine, spec, live.version.ref, context, log);
        await runDemoMonitor(workspace, engine, spec, train.version.ref, context, log);
      }
    }
    const board = await readBoard(workspace, context);
    return { root, board };
  } finally {
    await engine.close();
    await workspace.close();
  }
}
