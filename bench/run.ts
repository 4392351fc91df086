/**
 * `npm run bench -- NAME`: runs one benchmark (or all without a name). Each prints lines of the form
 * `BENCH <name>.<measure> mlcycle=<x> reference=<y> ratio=<x/y>`, mlcycle and the reference measured on
 * the same data in the same run.
 */
import { benchData } from './data.js';
import { benchEvaluate } from './evaluate.js';
import { benchExperiment } from './experiment.js';
import { benchExplore } from './explore.js';
import { benchGbdt } from './gbdt.js';
import { benchMonitor } from './monitor.js';
import { benchOffPolicy } from './off-policy.js';
import { benchPipeline } from './pipeline.js';
import { benchScale } from './scale.js';
import { benchServe } from './serve.js';
import { benchStats } from './stats.js';
import { benchTracking } from './tracking.js';
import { benchTune } from './tune.js';
import { benchTuneBank } from './tune-bank.js';
import { benchUi } from './ui.js';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  data: benchData,
  evaluate: benchEvaluate,
  experiment: benchExperiment,
  explore: benchExplore,
  gbdt: benchGbdt,
  monitor: benchMonitor,
  'off-policy': benchOffPolicy,
  pipeline: benchPipeline,
  scale: benchScale,
  serve: benchServe,
  stats: benchStats,
  tracking: benchTracking,
  tune: benchTune,
  'tune-bank': benchTuneBank,
  ui: benchUi,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]?.();
}
