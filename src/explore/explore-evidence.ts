/**
 * Evidence for stage 3, exploratory analysis: done when a profile with a strawman score exists for data
 * that holds the target; in progress when profiles exist without one.
 */
import type { StageEvidenceSource } from '../problem/board.js';

export const explorationEvidence: StageEvidenceSource = {
  stage: 'exploratory-analysis',
  async assess({ workspace }) {
    const profiles = await workspace.profiles.list();
    if (profiles.length === 0) {
      return { state: 'not-started', evidence: [], nextStep: 'profile the training data: `mlcycle explore NAME`' };
    }
    const evidence = [`profiled: ${[...new Set(profiles.map((profile) => profile.ref))].join(', ')}`];
    const withStrawman = profiles.filter((profile) => profile.hasStrawman);
    if (withStrawman.length > 0) {
      evidence.push(`strawman scores for ${[...new Set(withStrawman.map((profile) => `${profile.ref} (target ${profile.target ?? '?'})`))].join(', ')}`);
      return { state: 'done', evidence, nextStep: '' };
    }
    return {
      state: 'in-progress',
      evidence,
      nextStep: 'profile data that holds the target so the strawman can score: `mlcycle explore NAME --target COLUMN`',
    };
  },
};
