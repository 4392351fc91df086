/**
 * A workspace with a registered binary classifier to serve: `delays` versions 1 and 2 (gradient-boosted
 * trees trained on seeded synthetic rows with a numeric `distance`, a numeric `hour` and a categorical
 * `origin`), `@champion` on 1 with a decision threshold, `@challenger` on 2. Also the rows' generator,
 * so tests can send the same kind of rows the model saw.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainGbdt } from '../../src/models/gbdt/train-gbdt.js';
import { serializeModel, type TreeModel } from '../../src/models/model-format.js';
import { DECISION_THRESHOLD_TAG } from '../../src/serve/served-models.js';
import { createWorkspace } from '../../src/store/workspace.js';
import { registerModel, setModelAlias, setModelTag } from '../../src/tracking/registry/register-model.js';
import { startRun } from '../../src/tracking/start-run.js';
import { seededRandom } from '../../src/stats/random.js';
import { CLI_PATH } from './run-cli.js';

export const ORIGINS = ['ATL', 'BOS', 'DEN', 'ORD', 'SFO'];

export interface FlightRow extends Record<string, number | string> {
  distance: number;
  hour: number;
  origin: string;
}

/** Seeded synthetic rows: later hours and busy origins are delayed more often. */
export function flightRows(count: number, seed = 1): { rows: FlightRow[]; labels: number[] } {
  const random = seededRandom(seed);
  const rows: FlightRow[] = [];
  const labels: number[] = [];
  for (let index = 0; index < count; index++) {
    const row = { distance: Math.round(200 + random() * 2000), hour: Math.floor(random() * 24), origin: ORIGINS[Math.floor(random() * ORIGINS.length)] as string };
    const risk = -2 + row.hour / 10 + (row.origin === 'ORD' ? 0.8 : 0) + row.distance / 4000;
    labels.push(random() < 1 / (1 + Math.exp(-risk)) ? 1 : 0);
    rows.push(row);
  }
  return { rows, labels };
}

/** A tree model on the synthetic rows; `rounds` tells the versions apart. */
export function flightModel(rounds: number): TreeModel {
  const { rows, labels } = flightRows(4000);
  const columns = [Float64Array.from(rows, (row) => row.distance), Float64Array.from(rows, (row) => row.hour), Float64Array.from(rows, (row) => ORIGINS.indexOf(row.origin))];
  const trained = trainGbdt({ columns, label: Float64Array.from(labels), categorical: [false, false, true] }, { objective: 'binary', rounds, numLeaves: 15 });
  return {
    kind: 'tree-ensemble',
    learner: 'gbdt',
    params: { ...trained.params },
    features: [
      { name: 'distance', type: 'numeric' },
      { name: 'hour', type: 'numeric' },
      { name: 'origin', type: 'categorical', categories: ORIGINS },
    ],
    ensemble: trained.ensemble,
  };
}

/** A change context with a fixed actor and a clock that ticks one second per call (as temp-dir.ts's, without vitest, so benchmarks can use this file). */
function fixedContext() {
  let tick = 0;
  const start = Date.parse('2026-01-01T00:00:00Z');
  return { actor: 'tester', now: () => new Date(start + 1000 * tick++) };
}

/** Creates the workspace in a new folder (removed by `remove`). */
export async function servedWorkspace(): Promise<{ root: string; models: TreeModel[]; remove(): void }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-serve-'));
  const context = fixedContext();
  const { workspace } = await createWorkspace(root, 'serve-test', context);
  const models = [flightModel(20), flightModel(40)];
  try {
    for (const [index, model] of models.entries()) {
      const file = path.join(root, `model-${index + 1}.json`);
      writeFileSync(file, serializeModel(model));
      const run = await startRun({ experiment: 'delays', name: `gbdt-${index + 1}`, workspace, context, gitCommit: false, command: false });
      await run.logArtifact(file, 'model');
      await run.end();
      await registerModel(workspace, { name: 'delays', run: run.id, path: `model/model-${index + 1}.json` }, context);
    }
    await setModelTag(workspace, { model: 'delays', version: 1 }, DECISION_THRESHOLD_TAG, '0.5', context);
    await setModelAlias(workspace, 'delays', 'champion', 1, context);
    await setModelAlias(workspace, 'delays', 'challenger', 2, context);
  } finally {
    await workspace.close();
  }
  return { root, models, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Starts `mlcycle serve --port 0 ARGS` in a workspace; resolves with its address once it listens. */
export async function startServeProcess(cwd: string, args: string[] = []): Promise<{ url: string; pid: number; stop(): Promise<void>; kill(): Promise<void>; stderr(): string }> {
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0', ...args], { cwd, env: { ...process.env, TZ: 'UTC', MLCYCLE_USER: 'ana', LOG_LEVEL: 'warn' } });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serve on (http:\/\/[^\s]+) /.exec(output);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`mlcycle serve exited with ${code}: ${errors}`)));
  });
  return { url, pid: child.pid as number, stop: () => end('SIGTERM'), kill: () => end('SIGKILL'), stderr: () => errors };
}
