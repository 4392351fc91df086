/**
 * The demo's stage 6: three models for the delay alert, each a pipeline run scored on the validation month
 * (May): the obvious rule (each route's historical delay rate), a regularised logistic regression, and
 * gradient-boosted trees whose settings a tuning study chooses. The spec's "strawman first": the trees must
 * beat the route rate to be worth their complexity. Every step comes from the step cache when nothing
 * changed, so a second demo run retrains nothing.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import type { FeatureDefinition } from '../train/feature-table.js';
import type { PipelineResult } from '../train/pipeline/pipeline-types.js';
import { runPipeline } from '../train/pipeline/run-pipeline.js';
import { runStudy, type TuneResult } from '../train/tune/run-study.js';
import { checkSearchSpaceText } from '../train/tune/search-space-schema.js';
import { DEMO_PIPELINES, DEMO_SEARCH_SPACE, type DemoPipeline } from './flight-delay-pipelines.js';

/** What the models see of a flight before it leaves; the month is left out, since validation is a later month. */
export const DEMO_FEATURES: FeatureDefinition[] = [
  { name: 'day_of_month', type: 'numeric', sql: 'day(date)' },
  { name: 'weekday', type: 'numeric', sql: 'dayofweek(date)' },
  { name: 'hour', type: 'numeric' },
  { name: 'minute', type: 'numeric', sql: 'minute(date)' },
  { name: 'distance', type: 'numeric' },
  { name: 'origin', type: 'categorical' },
  { name: 'destination', type: 'categorical' },
  { name: 'origin_region', type: 'categorical' },
];
export const DEMO_GBDT = { objective: 'binary', rounds: 100, numLeaves: 63, learningRate: 0.1 } as const;
/** The study's name: a second demo run finds it complete and reruns no trial. */
export const DEMO_STUDY = 'flight-delay-gbdt';
/**
 * Trials learn from every 10th training row (about 200,000) so that the study takes seconds; the chosen
 * settings are then trained on every row. ASHA prunes trials on their per-round validation AUC.
 */
const TRIAL_SAMPLE_STRIDE = 10;
const TRIALS = 8;

/** The three models' pipeline runs, in training order, with the names the demo prints. */
export interface DemoModels {
  runs: { name: string; pipeline: DemoPipeline; result: PipelineResult }[];
  study: TuneResult;
}

/** Writes the demo's pipeline files into `pipelines/` unless they are there already (a user's edits stay). */
export async function writeDemoPipelineFiles(workspace: Workspace): Promise<Record<DemoPipeline | 'space', string>> {
  const folder = path.join(workspace.root, 'pipelines');
  await mkdir(folder, { recursive: true });
  const files = { ...DEMO_PIPELINES, space: DEMO_SEARCH_SPACE };
  const paths = {} as Record<DemoPipeline | 'space', string>;
  for (const [name, text] of Object.entries(files) as [DemoPipeline | 'space', string][]) {
    const file = path.join(folder, name === 'space' ? 'gbdt-space.yaml' : `${name}.yaml`);
    await writeFile(file, text, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    paths[name] = file;
  }
  return paths;
}

/** Trains the route rate and the logistic regression, tunes the trees on a sample, then trains the best on every row. */
export async function trainDemoModels(workspace: Workspace, context: ChangeContext, log: (line: string) => void): Promise<DemoModels> {
  const files = await writeDemoPipelineFiles(workspace);
  const threads = Math.min(4, os.availableParallelism());
  const train = (pipeline: DemoPipeline, overrides: Record<string, unknown> = {}) =>
    runPipeline({ workspace, pipeline: { file: files[pipeline] }, overrides, context, command: 'mlcycle demo' });
  const runs: DemoModels['runs'] = [
    { name: 'route delay rate', pipeline: 'route-rate', result: await train('route-rate') },
    { name: 'logistic regression (L2)', pipeline: 'logistic', result: await train('logistic') },
  ];

  const spaceText = await readFile(files.space, 'utf8');
  const space = checkSearchSpaceText(spaceText, 'pipelines/gbdt-space.yaml');
  if (space.value === undefined) throw new MlcycleError('invalid_input', `pipelines/gbdt-space.yaml: ${space.issues.length} problem(s) in the search space`, { issues: space.issues });
  const study = await runStudy({
    workspace,
    settings: {
      name: DEMO_STUDY,
      direction: 'maximize',
      space: space.value,
      sampler: { kind: 'tpe', seed: 0 },
      pruner: { kind: 'asha' },
      objective: { kind: 'pipeline', file: files.gbdt, overrides: { 'train.sampleStride': TRIAL_SAMPLE_STRIDE, 'train.params.threads': threads } },
    },
    trials: TRIALS,
    experiment: 'flight-delay-alerts',
    context,
  });
  const best = study.best;
  if (best === undefined) throw new MlcycleError('internal', `study ${DEMO_STUDY} finished no trial`);
  const pruned = study.trials.filter((trial) => trial.state === 'pruned').length;
  log(`stage 6: tuned the trees (study ${DEMO_STUDY}, ${study.trials.length} trials, ${pruned} pruned${study.resumed ? ', resumed' : ''}): best sample AUC ${best.value?.toFixed(4)} with ${describe(best.params)}`);
  runs.push({ name: 'gradient-boosted trees', pipeline: 'gbdt', result: await train('gbdt', { ...best.params, 'train.params.threads': threads }) });
  return { runs, study };
}

function describe(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name.replace(/^train\.params\./, '')}=${typeof value === 'number' && !Number.isInteger(value) ? value.toPrecision(3) : String(value)}`)
    .join(', ');
}
