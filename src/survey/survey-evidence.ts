/**
 * Evidence for stage 4, the literature survey: done when at least one reference records a reported result;
 * references without numbers leave it in progress.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const surveyEvidence: StageEvidenceSource = {
  stage: 'literature-survey',
  async assess({ workspace }) {
    const references = await workspace.references.list();
    if (references.length === 0) return { state: 'not-started', evidence: [], nextStep: 'record what has been tried: `mlcycle survey add --from refs.bib --metric NAME=VALUE`' };
    const reported = references.filter((reference) => reference.reported.length > 0);
    const linked = references.filter((reference) => reference.links.length > 0);
    const evidence = [`${references.length} reference(s), ${reported.length} with reported results, ${linked.length} linked to our runs`];
    if (reported.length === 0) return { state: 'in-progress', evidence, nextStep: 'add the reported metrics of a reference: `mlcycle survey add --key KEY --title TITLE --metric NAME=VALUE`' };
    for (const reference of reported.slice(0, 3)) evidence.push(`${reference.key}: ${reference.reported.map((metric) => `${metric.name} ${metric.value}`).join(', ')}`);
    return { state: 'done', evidence, nextStep: '' };
  },
};
