/**
 * Evidence for stage 8, online evaluation, from the event log: which model versions the prediction
 * service answered with, how often and when, and the business events that arrived. Serving is the
 * stage's start; the decision on an A/B test's success metrics (experiments) is what will complete it.
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
    return {
      state: 'in-progress',
      evidence,
      nextStep: outcomes.length === 0 ? 'send outcomes to the log (`POST /api/v1/events` or `mlcycle events import FILE`), then A/B-test the challenger on the success metrics' : 'A/B-test the challenger against the champion on the success metrics (experiments are not in mlcycle yet)',
    };
  },
};
