/**
 * Evidence for stage 1, problem definition: done when the spec is valid, names at least one primary
 * success metric, and names an owner for each component.
 */
import type { StageAssessment, StageEvidenceSource } from './board.js';
import type { SpecCheck } from './load-spec.js';
import { COMPONENTS } from './spec-schema.js';

/** Assesses problem definition from a spec check alone. */
export function assessProblemDefinition(check: SpecCheck): StageAssessment {
  if (!check.exists) {
    return { state: 'not-started', evidence: ['no mlcycle.yaml'], nextStep: 'write the problem spec: `mlcycle init` creates a commented mlcycle.yaml' };
  }
  if (check.spec === undefined) {
    const count = check.issues.length;
    return {
      state: 'needs-attention',
      evidence: [`mlcycle.yaml has ${count} problem${count === 1 ? '' : 's'}`],
      nextStep: 'fix the spec: `mlcycle spec check` lists each problem with its line',
    };
  }
  const spec = check.spec;
  const primary = spec.successMetrics.filter((metric) => metric.role === 'primary').map((metric) => metric.id);
  const unowned = COMPONENTS.filter((component) => spec.owners[component] === undefined);
  const evidence = [
    `spec valid (${spec.task}, target ${spec.target.column}, version ${check.hash.slice(0, 12)})`,
    primary.length > 0 ? `primary metric: ${primary.join(', ')}` : 'no primary success metric',
    `success metrics: ${spec.successMetrics.length}, ML metric targets: ${spec.mlMetrics.length}, segments: ${spec.segments.length}`,
    unowned.length === 0 ? `owners for all ${COMPONENTS.length} components` : `no owner for ${unowned.join(', ')}`,
  ];
  const missing: string[] = [];
  if (primary.length === 0) missing.push('add a primary success metric under successMetrics');
  if (unowned.length > 0) missing.push(`name an owner for ${unowned.join(', ')} under owners`);
  if (missing.length > 0) return { state: 'in-progress', evidence, nextStep: missing.join('; ') };
  return { state: 'done', evidence, nextStep: '' };
}

export const problemDefinitionEvidence: StageEvidenceSource = {
  stage: 'problem-definition',
  assess: async (context) => assessProblemDefinition(context.spec),
};
