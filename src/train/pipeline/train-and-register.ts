/**
 * What `mlcycle train` does, as one service call: run a pipeline as a tracked run, then register its model
 * as a new version (and point an alias at it) when asked.
 */
import type { PipelineResult, RunPipelineOptions } from './pipeline-types.js';
import { runPipeline } from './run-pipeline.js';

/** Where to register the trained model: a registered model's name and, optionally, an alias to move. */
export interface ModelRegistration {
  name: string;
  alias?: string;
}

/** Runs the pipeline; registers the model when `registration` is given, returning its `models:/` URI. */
export async function trainAndRegister(options: RunPipelineOptions, registration?: ModelRegistration): Promise<{ result: PipelineResult; registered?: string }> {
  const result = await runPipeline(options);
  if (registration === undefined) return { result };
  // Loaded only when registering: a cached rerun loads no more than it needs.
  const { registerModel, setModelAlias } = await import('../../tracking/registry/register-model.js');
  const version = await registerModel(options.workspace, { name: registration.name, run: result.runId, path: 'model' }, options.context);
  if (registration.alias !== undefined) await setModelAlias(options.workspace, registration.name, registration.alias, version.version, options.context);
  return { result, registered: `models:/${registration.name}/${version.version}${registration.alias === undefined ? '' : ` (@${registration.alias})`}` };
}
