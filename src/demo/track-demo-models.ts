/**
 * The demo's models in the registry: the logistic regression, the simpler model that would ship first, is
 * the `flight-delay` model's `champion`; the tuned trees are its `challenger`, which offline evaluation
 * (stage 7) weighs against the champion. Each version carries its model file's sha256 as a tag, so a demo
 * rerun whose pipelines came from the cache registers nothing new. A registered version whose run has a
 * training input completes the board's development stage.
 */
import { MlcycleError } from '../error.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { registerModel, setModelAlias } from '../tracking/registry/register-model.js';
import type { PipelineResult } from '../train/pipeline/pipeline-types.js';
import type { DemoModels } from './train-demo-models.js';

export const DEMO_EXPERIMENT = 'flight-delay-alerts';
export const DEMO_MODEL = 'flight-delay';
const SHA_TAG = 'model_sha256';

export interface DemoRegistration {
  alias: 'champion' | 'challenger';
  version: number;
  /** False when the alias already pointed at a version of the same model file. */
  registered: boolean;
  /** Set when a completed rollout has since moved the alias on: what moved it. */
  movedBy?: string;
}

/** Points `alias` at a version holding the run's model, registering one unless the alias already has it. */
async function registerAs(workspace: Workspace, result: PipelineResult, alias: DemoRegistration['alias'], description: string, context: ChangeContext): Promise<DemoRegistration> {
  const current = (await workspace.registry.findModel(DEMO_MODEL))?.aliases[alias];
  if (current !== undefined) {
    const version = await workspace.registry.findVersion(DEMO_MODEL, current);
    if (version?.tags[SHA_TAG] === result.model.sha256) return { alias, version: current, registered: false };
  }
  const version = await registerModel(workspace, { name: DEMO_MODEL, run: result.runId, path: 'model', description, tags: { [SHA_TAG]: result.model.sha256 } }, context);
  await setModelAlias(workspace, DEMO_MODEL, alias, version.version, context);
  return { alias, version: version.version, registered: true };
}

/**
 * Registers the logistic regression as champion and the tuned trees as challenger. Once a rollout has made
 * the trees the champion (`championMovedBy`, the demo's stage 9 on an earlier run), the logistic
 * regression's version is found again by its file's hash and the champion alias is left where the rollout put it.
 */
export async function registerDemoModels(workspace: Workspace, models: DemoModels, context: ChangeContext, championMovedBy?: string): Promise<DemoRegistration[]> {
  const run = (pipeline: string): PipelineResult => {
    const found = models.runs.find((entry) => entry.pipeline === pipeline);
    if (found === undefined) throw new MlcycleError('internal', `the demo trained no ${pipeline} model to register`);
    return found.result;
  };
  const logistic = run('logistic');
  const earlier = championMovedBy === undefined ? undefined : (await workspace.registry.listVersions(DEMO_MODEL)).find((version) => version.tags[SHA_TAG] === logistic.model.sha256);
  return [
    earlier !== undefined && championMovedBy !== undefined
      ? { alias: 'champion', version: earlier.version, registered: false, movedBy: championMovedBy }
      : await registerAs(workspace, logistic, 'champion', 'L2 logistic regression on every 100th flight of January to April, validated on May', context),
    await registerAs(workspace, run('gbdt'), 'challenger', 'gradient-boosted trees tuned by the flight-delay-gbdt study, trained on January to April, validated on May', context),
  ];
}
