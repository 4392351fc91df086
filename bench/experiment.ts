/**
 * `npm run bench -- experiment` (issue 18):
 *   - experiment.assign-per-s: assignment decisions per second in process for 1,000,000 unit ids (unequal
 *     weights, partial coverage, a namespace, a targeting condition), mlcycle's compiled assignment against
 *     the GrowthBook SDK's `run()` on the same definition; the two must agree on every unit;
 *   - experiment.analysis-10m-s: 10M exposures and 10M outcome events from the event log to the decision,
 *     against pandas doing the same aggregation (experiment-analysis.ts);
 *   - experiment.replay-rps: the traffic simulator's replay rate through a real `mlcycle serve` process with
 *     a running experiment (two tree models, simulated passengers posting events), no reference.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GrowthBook, type ConditionInterface, type Experiment } from '@growthbook/growthbook';
import { compileAssignment, type AssignmentDefinition } from '../src/experiment/assignment.js';
import { parseExpression, toGrowthBookCondition } from '../src/experiment/expression.js';
import { checkExperimentDefinition } from '../src/experiment/online-definition.js';
import { createExperiment, startExperiment } from '../src/experiment/online-experiments.js';
import { validateResponseModel } from '../src/experiment/response-model.js';
import { replayTraffic } from '../src/experiment/simulate-traffic.js';
import { defaultChangeContext } from '../src/store/audit-log.js';
import { openWorkspace } from '../src/store/workspace.js';
import { CLI_PATH } from '../test/support/run-cli.js';
import { flightRows, servedWorkspace } from '../test/support/served-workspace.js';
import { benchExperimentAnalysis } from './experiment-analysis.js';
import { report } from './report.js';

const ASSIGNED = 1_000_000;
const REPLAYED = 20_000;

function benchAssignment(): void {
  const definition: AssignmentDefinition = {
    key: 'bench',
    arms: [
      { id: 'control', weight: 0.2 },
      { id: 'b', weight: 0.3 },
      { id: 'c', weight: 0.5 },
    ],
    coverage: 0.8,
    namespace: { id: 'alerts', start: 0, end: 0.75 },
    condition: parseExpression('region in ["Northeast", "South", "West"] and distance >= 100', 'targeting'),
  };
  const regions = ['Northeast', 'South', 'Midwest', 'West'];
  const attributes = Array.from({ length: 1024 }, (_, index) => ({ region: regions[index % 4] as string, distance: (index * 37) % 2500 }));
  const ids = Array.from({ length: ASSIGNED }, (_, index) => `passenger-${index}`);
  const ours = compileAssignment(definition);
  const growthbook = new GrowthBook({ attributes: {} });
  const experiment: Experiment<string> = {
    key: 'bench',
    variations: ['control', 'b', 'c'] as [string, string, string],
    weights: [0.2, 0.3, 0.5],
    coverage: 0.8,
    namespace: ['alerts', 0, 0.75] as [string, number, number],
    condition: toGrowthBookCondition(definition.condition as NonNullable<AssignmentDefinition['condition']>) as ConditionInterface,
    hashVersion: 2,
  };
  // Agreement first (untimed), then each side timed on the same ids.
  for (let index = 0; index < 100_000; index++) {
    const unitAttributes = attributes[index % 1024] as Record<string, string | number>;
    void growthbook.setAttributes({ id: ids[index] as string, ...unitAttributes });
    const theirs = growthbook.run(experiment);
    const mine = ours(ids[index] as string, unitAttributes);
    if ((theirs.inExperiment ? theirs.variationId : -1) !== (mine?.index ?? -1)) throw new Error(`experiment: unit ${ids[index]} assigned differently`);
  }
  let assigned = 0;
  let start = performance.now();
  for (let index = 0; index < ASSIGNED; index++) if (ours(ids[index] as string, attributes[index % 1024]) !== undefined) assigned += 1;
  const oursSeconds = (performance.now() - start) / 1000;
  let theirsAssigned = 0;
  start = performance.now();
  for (let index = 0; index < ASSIGNED; index++) {
    void growthbook.setAttributes({ id: ids[index] as string, ...(attributes[index % 1024] as Record<string, string | number>) });
    if (growthbook.run(experiment).inExperiment) theirsAssigned += 1;
  }
  const theirsSeconds = (performance.now() - start) / 1000;
  if (assigned !== theirsAssigned) throw new Error(`experiment: ${assigned} units assigned by mlcycle, ${theirsAssigned} by GrowthBook`);
  console.log(`experiment: ${ASSIGNED.toLocaleString('en-US')} units, ${assigned.toLocaleString('en-US')} in the experiment on both sides (100,000 compared one by one); mlcycle ${oursSeconds.toFixed(3)} s, GrowthBook SDK run() ${theirsSeconds.toFixed(3)} s (with setAttributes per unit, as a server assigning many users does)`);
  report('experiment.assign-per-s', ASSIGNED / oursSeconds, ASSIGNED / theirsSeconds);
}

async function benchReplay(): Promise<void> {
  const served = await servedWorkspace();
  try {
    writeFileSync(
      path.join(served.root, 'mlcycle.yaml'),
      `name: bench\ncustomerProblem: c\nbusinessProblem: b\ntask: binary\ntarget: { column: delayed, positive: 1 }\nrandomizationUnit: passenger_id\nsuccessMetrics:\n  - { id: rebooked, description: r, kind: proportion, source: { event: rebooked_before_gate }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }\n`,
    );
    const context = defaultChangeContext('bench');
    const workspace = await openWorkspace(served.root, context);
    try {
      await createExperiment(workspace, 'bench-ab', checkExperimentDefinition({ endpoint: 'delays', arms: [{ id: 'control', model: 'delays@champion', weight: 0.5 }, { id: 'treatment', model: 'delays@challenger', weight: 0.5 }] }), context);
      await startExperiment(workspace, 'bench-ab', context);
    } finally {
      await workspace.close();
    }
    const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0'], { cwd: served.root, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /serve on (http:\/\/\S+) /.exec(output);
        if (match !== null) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`mlcycle serve exited with ${code}`)));
    });
    try {
      const model = validateResponseModel({ label: 'delayed', seed: 1, events: [{ name: 'rebooked_before_gate', probability: 'if(label == 1, 0.2 + 0.5 * score, 0.02)' }] });
      if (model.value === undefined) throw new Error('response model');
      const { rows, labels } = flightRows(REPLAYED, 5);
      const replayRows = rows.map((row, index) => ({ ...row, delayed: labels[index], passenger_id: `p${index}` }));
      console.log(`experiment: replaying ${REPLAYED.toLocaleString('en-US')} rows through ${url} (load ${os.loadavg()[0]?.toFixed(2)})`);
      const result = await replayTraffic({ url, endpoint: 'delays', rows: replayRows, features: ['distance', 'hour', 'origin'], model: model.value, concurrency: 32 });
      console.log(`experiment: ${result.requests} requests in ${result.seconds.toFixed(2)} s; arms ${JSON.stringify(result.arms)}; ${result.eventsSent} events posted`);
      report('experiment.replay-rps', result.requestsPerSecond);
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    served.remove();
  }
}

/** Runs the experiment benchmarks and prints their summary lines. */
export async function benchExperiment(): Promise<void> {
  console.log(`experiment: machine load ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  benchAssignment();
  await benchReplay();
  await benchExperimentAnalysis();
}
