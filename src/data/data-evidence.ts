/**
 * Evidence for stage 2, data gathering: done when the spec's target exists in a registered version whose
 * latest validation passed (with at least one check). Only each dataset's newest version counts, and a
 * failed one needs attention. Columns the spec declares known only after the outcome are named, since
 * they are leaks kept out of features.
 */
import type { StageEvidenceSource } from '../problem/board.js';
import { datasetSpecFor } from './dataset-spec.js';

export const dataGatheringEvidence: StageEvidenceSource = {
  stage: 'data-gathering',
  async assess({ workspace, spec: specCheck }) {
    const spec = specCheck.exists ? specCheck.spec : undefined;
    const datasets = await workspace.datasets.listDatasets();
    if (datasets.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'register data: `mlcycle data add PATH --name NAME`' };
    }
    // Only each dataset's newest version counts: older versions that passed do not hide a newer failure.
    const latestRefs = new Set(datasets.map((item) => item.latest.ref));
    const validations = (await workspace.datasets.latestValidations()).filter((validation) => latestRefs.has(validation.ref));
    const evidence = [`${datasets.length} dataset(s): ${datasets.map((item) => `${item.latest.ref} (${item.latest.rowCount.toLocaleString('en-US')} rows)`).join(', ')}`];
    const failed = validations.filter((validation) => !validation.passed);
    if (failed.length > 0) {
      evidence.push(`failed validation: ${failed.map((validation) => validation.ref).join(', ')}`);
      return { state: 'needs-attention', evidence, nextStep: `fix the data or the checks, then \`mlcycle data validate ${failed[0]?.ref ?? ''}\`` };
    }
    const good = validations.filter((validation) => validation.passed && validation.targetPresent && validation.outcomes.length > 0);
    if (good.length > 0) {
      evidence.push(`validated with the target present: ${good.map((validation) => validation.ref).join(', ')}`);
      const leaks = new Set<string>();
      for (const item of datasets.filter((candidate) => good.some((validation) => validation.ref === candidate.latest.ref))) {
        const declared = datasetSpecFor(spec, item.latest)?.columns ?? {};
        for (const column of item.latest.columns) if (declared[column.name]?.availableAt === 'after-outcome') leaks.add(column.name);
      }
      if (leaks.size > 0) evidence.push(`known only after the outcome, kept out of features: ${[...leaks].join(', ')}`);
      return { state: 'done', evidence, nextStep: '' };
    }
    if (validations.some((validation) => validation.outcomes.length === 0)) {
      evidence.push('validated without any checks declared');
      return { state: 'in-progress', evidence, nextStep: 'declare checks under datasets in mlcycle.yaml (`mlcycle data suggest-checks NAME` proposes them), then validate' };
    }
    if (validations.length > 0) {
      evidence.push(`validated, but without the spec's target: ${validations.map((validation) => validation.ref).join(', ')}`);
      return { state: 'in-progress', evidence, nextStep: 'register data that holds the target (or its definition\'s columns) and validate it' };
    }
    const first = datasets[0]?.latest.ref ?? '';
    return { state: 'in-progress', evidence, nextStep: `validate it: \`mlcycle data validate ${first}\` (checks under datasets in mlcycle.yaml)` };
  },
};
