/**
 * Evidence for stage 9, model rollout: the rollouts and where each stands. Done when a rollout completed,
 * or was rolled back with its recorded reason (the next step then points back to development).
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const rolloutEvidence: StageEvidenceSource = {
  stage: 'rollout',
  async assess({ workspace }) {
    const rollouts = await workspace.rollouts.list();
    if (rollouts.length === 0) return { state: 'not-started', evidence: [], nextStep: 'roll the A/B winner out step by step: `mlcycle rollout start NAME --file ROLLOUT.yaml`' };
    const evidence = rollouts.map((rollout) => {
      const plan = rollout.plan as { candidate?: string; steps?: unknown[] };
      const last = rollout.history.at(-1);
      return `rollout ${rollout.name} (${plan.candidate ?? '?'}): ${rollout.state} at step ${rollout.step + 1} of ${plan.steps?.length ?? '?'}${last === undefined ? '' : `; last: ${last.action}: ${last.reason}`}`;
    });
    const completed = rollouts.find((rollout) => rollout.state === 'completed');
    if (completed !== undefined) return { state: 'done', evidence, nextStep: 'monitor the new champion (stage 10)' };
    const rolledBack = rollouts.find((rollout) => rollout.state === 'rolled-back');
    if (rolledBack !== undefined && !rollouts.some((rollout) => rollout.state === 'running' || rollout.state === 'paused')) {
      return { state: 'done', evidence, nextStep: `back to development: rollout ${rolledBack.name} was rolled back (${rolledBack.history.at(-1)?.reason ?? 'see its history'})` };
    }
    const paused = rollouts.find((rollout) => rollout.state === 'paused');
    if (paused !== undefined) return { state: 'needs-attention', evidence, nextStep: `rollout ${paused.name} is paused: \`mlcycle rollout status ${paused.name}\`, then resume or roll back` };
    return { state: 'in-progress', evidence, nextStep: 'let the controller advance (`mlcycle server` runs it; `mlcycle rollout tick` from cron)' };
  },
};
