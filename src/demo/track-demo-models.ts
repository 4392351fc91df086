/**
 * The demo's training runs in the tracking store: one run per model with its parameters, the dataset
 * versions it read, its validation AUC and, for the trees, the model file; the trees are registered as a
 * version of the `flight-delay` model and become its `champion`. That completes the board's development
 * stage: a registered version whose run has a training input.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MlcycleError } from '../error.js';
import { serializeModel } from '../models/model-format.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DatasetVersion } from '../store/dataset-store.js';
import type { ModelVersion } from '../store/model-registry.js';
import type { Workspace } from '../store/workspace.js';
import { registerModel, setModelAlias } from '../tracking/registry/register-model.js';
import { startRun } from '../tracking/start-run.js';
import type { DemoModels } from './train-demo-models.js';

export const DEMO_EXPERIMENT = 'flight-delay-alerts';
export const DEMO_MODEL = 'flight-delay';

/** Records each model's run and registers the trees as the champion. */
export async function trackDemoModels(
  workspace: Workspace,
  models: DemoModels,
  data: { train: DatasetVersion; validation: DatasetVersion },
  context: ChangeContext,
): Promise<ModelVersion> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlcycle-demo-model-'));
  try {
    let treesRun: string | undefined;
    for (const score of models.scores) {
      const run = await startRun({ experiment: DEMO_EXPERIMENT, name: score.name, workspace, context, command: 'mlcycle demo', gitCommit: false });
      await run.logParams(score.params);
      await run.logInput(data.train, 'training');
      await run.logInput(data.validation, 'validation');
      run.logMetrics({ validation_auc: score.validationAuc, train_seconds: score.seconds });
      if (score.params.learner === 'gbdt') {
        await writeFile(path.join(folder, 'model.json'), serializeModel(models.gbdt));
        await run.logArtifact(path.join(folder, 'model.json'), 'model');
        treesRun = run.id;
      }
      await run.end();
    }
    if (treesRun === undefined) throw new MlcycleError('internal', 'the demo trained no trees to register');
    const version = await registerModel(workspace, { name: DEMO_MODEL, run: treesRun, path: 'model', description: 'gradient-boosted trees on January to April, validated on May' }, context);
    await setModelAlias(workspace, DEMO_MODEL, 'champion', version.version, context);
    return version;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
