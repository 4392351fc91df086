/**
 * Evidence for stage 6, model and pipeline development: done when a registered model version exists whose
 * run read a dataset as `training` (issue 6), so that the model can be traced back to its data; in
 * progress while runs exist without one.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const developmentEvidence: StageEvidenceSource = {
  stage: 'development',
  async assess({ workspace }) {
    const { runs } = await workspace.runs.searchRuns({ maxResults: 1 });
    const models = await workspace.registry.listModels();
    if (runs.length === 0 && models.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'track a training run: `startRun({ experiment })` in your training code' };
    }
    // Experiment 0 ("Default", made for MLflow clients) counts only once a run landed in it.
    const defaultUsed = (await workspace.runs.searchRuns({ experimentIds: ['0'], maxResults: 1, lifecycle: 'all' })).runs.length > 0;
    const experiments = (await workspace.runs.listExperiments()).filter((experiment) => experiment.id !== '0' || defaultUsed);
    const evidence = [`runs tracked in ${experiments.length} experiment(s): ${experiments.map((experiment) => experiment.name).join(', ')}`];
    const traced: string[] = [];
    const untraced: string[] = [];
    for (const model of models) {
      for (const version of await workspace.registry.listVersions(model.name)) {
        const run = await workspace.runs.findRun(version.runId);
        const training = run?.inputs.filter((input) => input.context === 'training') ?? [];
        const uri = `models:/${model.name}/${version.version}`;
        if (training.length > 0) traced.push(`${uri} (trained on ${training.map((input) => input.versionRef ?? input.dataset).join(', ')})`);
        else untraced.push(uri);
      }
    }
    if (traced.length > 0) {
      evidence.push(`registered with training data: ${traced.join(', ')}`);
      return { state: 'done', evidence, nextStep: '' };
    }
    if (untraced.length > 0) {
      evidence.push(`registered without a training dataset input: ${untraced.join(', ')}`);
      return { state: 'in-progress', evidence, nextStep: "log the training data of the run (`run.logInput('NAME@VERSION', 'training')`) and register its model again" };
    }
    return { state: 'in-progress', evidence, nextStep: "register the best run's model: `registerModel(workspace, { name, run })`" };
  },
};
