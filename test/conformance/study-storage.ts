/**
 * The behaviour every tuning-study storage must show, as one suite: run it against each backend (memory
 * now, the metadata store's tables when they land) so that a study resumes the same way on all of them.
 */
import { describe, expect, it } from 'vitest';
import type { StudyStorage } from '../../src/optimizer/study-storage.js';

/** Registers the conformance tests for a storage made fresh by `open` for each test. */
export function describeStudyStorage(name: string, open: () => StudyStorage): void {
  describe(`StudyStorage: ${name}`, () => {
    it('numbers trials from 0 and keeps their parameters', () => {
      const storage = open();
      expect(storage.createTrial({ x: 0.5, kind: 'a' }).number).toBe(0);
      expect(storage.createTrial({ flag: true }).number).toBe(1);
      expect(storage.trials().map((trial) => [trial.number, trial.state, trial.params])).toEqual([
        [0, 'running', { x: 0.5, kind: 'a' }],
        [1, 'running', { flag: true }],
      ]);
    });

    it('keeps intermediate values in step order, the last report of a step winning', () => {
      const storage = open();
      storage.createTrial({});
      storage.setIntermediateValue(0, 5, 0.3);
      storage.setIntermediateValue(0, 1, 0.9);
      storage.setIntermediateValue(0, 5, 0.2);
      expect([...(storage.trials()[0]?.intermediateValues ?? [])]).toEqual([[1, 0.9], [5, 0.2]]);
    });

    it('finishes trials with their state and value, and keeps attributes', () => {
      const storage = open();
      storage.createTrial({});
      storage.createTrial({});
      storage.setAttribute(1, 'completed_rung_0', 0.25);
      storage.finishTrial(0, 'complete', 1.5);
      storage.finishTrial(1, 'pruned');
      const [first, second] = storage.trials();
      expect(first).toMatchObject({ state: 'complete', value: 1.5 });
      expect(second).toMatchObject({ state: 'pruned', attributes: { completed_rung_0: 0.25 } });
      expect(second?.value).toBeUndefined();
    });

    it('hands out snapshots that later changes leave alone', () => {
      const storage = open();
      storage.createTrial({});
      const before = storage.trials();
      storage.setIntermediateValue(0, 0, 1);
      storage.finishTrial(0, 'failed');
      expect(before[0]).toMatchObject({ state: 'running' });
      expect(before[0]?.intermediateValues.size).toBe(0);
    });
  });
}
