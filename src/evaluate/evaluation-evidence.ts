/**
 * Evidence for stage 7, offline evaluation: done when a stored evaluation of a model version is ready for
 * online evaluation (it met the spec's ML metric targets, beat the baseline, and, compared with the
 * champion, was not significantly worse overall or in any segment). An evaluation without a champion
 * counts only while its model has no champion alias: the first model has nothing to beat but the targets.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const evaluationEvidence: StageEvidenceSource = {
  stage: 'offline-evaluation',
  async assess({ workspace }) {
    const evaluations = await workspace.evaluations.list();
    if (evaluations.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'evaluate the challenger against the champion: `mlcycle evaluate MODEL@challenger DATASET --compare MODEL@champion`' };
    }
    const name = (ref: { model: string; version: number }) => `models:/${ref.model}/${ref.version}`;
    const line = (evaluation: (typeof evaluations)[number]) =>
      `${name(evaluation.candidate)} on ${evaluation.dataset}${evaluation.champion === undefined ? '' : ` against ${name(evaluation.champion)}`}: ${evaluation.ready ? 'ready' : 'not ready'} (evaluation ${evaluation.id})`;
    const evidence = [`${evaluations.length} evaluation(s); latest ${line(evaluations[0] as (typeof evaluations)[number])}`];
    for (const evaluation of evaluations.filter((candidate) => candidate.ready)) {
      const model = await workspace.registry.findModel(evaluation.candidate.model);
      const hasOtherChampion = model?.aliases.champion !== undefined && model.aliases.champion !== evaluation.candidate.version;
      if (evaluation.champion !== undefined || !hasOtherChampion) {
        evidence.push(`passed: ${line(evaluation)}`);
        return { state: 'done', evidence, nextStep: '' };
      }
    }
    const latest = evaluations[0] as (typeof evaluations)[number];
    return {
      state: 'in-progress',
      evidence,
      nextStep: latest.ready ? `compare with the champion: \`mlcycle evaluate ${name(latest.candidate)} ${latest.dataset} --compare ${latest.candidate.model}@champion\`` : `improve the model: ${latest.summary}`,
    };
  },
};
