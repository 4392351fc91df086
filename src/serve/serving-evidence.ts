/**
 * Evidence for stage 8, online evaluation, from the event log and the experiments: which model versions
 * the prediction service answered with, how often and when, the business events that arrived, and the A/B
 * tests. Serving is the stage's start; it is done when an experiment's stored analysis reached a decision
 * on the primary metric with its guardrails holding.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const servingEvidence: StageEvidenceSource = {
  stage: 'online-evaluation',
  async assess({ workspace }) {
    const rows = await workspace.events.summary();
    const predictions = rows.filter((row) => row.type === 'prediction');
    if (predictions.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'serve the champion and send it traffic: `mlcycle serve --model NAME@champion`' };
    }
    const evidence = predictions.map((row) => `${row.records} predictions by models:/${row.model}/${row.version} (${row.first} to ${row.last})`);
    const outcomes = rows.filter((row) => row.type === 'outcome');
    if (outcomes.length > 0) evidence.push(`business events: ${outcomes.map((row) => `${row.name} ${row.records}`).join(', ')}`);
    // A rollout's managed experiment (rollout-NAME) is stage 9's evidence, not an A/B test.
    const rollouts = new Set((await workspace.rollouts.list()).map((rollout) => `rollout-${rollout.name}`));
    const experiments = (await workspace.experiments.list()).filter((experiment) => !rollouts.has(experiment.name));
    const analyses = (await workspace.experiments.analyses()).filter((analysis) => !rollouts.has(analysis.experiment));
    for (const experiment of experiments) {
      const latest = analyses.find((analysis) => analysis.experiment === experiment.name);
      evidence.push(`experiment ${experiment.name}: ${experiment.state}${experiment.phase > 0 ? `, phase ${experiment.phase}` : ''}${latest === undefined ? ', not analysed yet' : `; latest analysis (phase ${latest.phase}, ${latest.createdAt}): ${latest.decision}`}`);
    }
    const decided = analyses.find((analysis) => analysis.decided);
    if (decided !== undefined) {
      return { state: 'done', evidence, nextStep: decided.decision.includes(': ship') ? 'roll the winner out (stage 9)' : 'back to development: the challenger did not win online' };
    }
    if (experiments.length > 0) {
      const running = experiments.find((experiment) => experiment.state === 'running');
      const stopped = experiments.find((experiment) => experiment.state === 'stopped');
      const nextStep =
        running !== undefined
          ? `keep ${running.name} running and analyse it: \`mlcycle experiment status ${running.name}\` (sequential results stay valid at every look)`
          : stopped !== undefined
            ? `${stopped.name} stopped without a decision: start it again for more traffic (\`mlcycle experiment start ${stopped.name}\`), or revisit the margins of guardrails it could not show`
            : 'start an experiment: `mlcycle experiment start NAME`';
      return { state: 'in-progress', evidence, nextStep };
    }
    return {
      state: 'in-progress',
      evidence,
      nextStep: outcomes.length === 0 ? 'send outcomes to the log (`POST /api/v1/events` or `mlcycle events import FILE`), then A/B-test the challenger on the success metrics' : 'A/B-test the challenger against the champion on the success metrics: `mlcycle experiment create NAME --file EXPERIMENT.yaml`',
    };
  },
};
