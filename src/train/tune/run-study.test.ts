import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, testContext } from '../../../test/support/temp-dir.js';
import { initProject } from '../../problem/init-project.js';
import { SqliteStudyStore } from '../../store/sqlite/study-store.js';
import type { Workspace } from '../../store/workspace.js';
import { TEST_FUNCTIONS } from '../../optimizer/test-functions.js';
import { threadEvaluator } from './thread-evaluator.js';
import { runStudy, type TuneRequest } from './run-study.js';
import type { StudySettings } from './study-settings.js';

const SETTINGS: Omit<StudySettings, 'parentRunId'> = {
  name: 'branin',
  direction: 'minimize',
  space: TEST_FUNCTIONS.branin.space,
  sampler: { kind: 'tpe', seed: 3 },
  pruner: { kind: 'median', nStartupTrials: 2 },
  objective: { kind: 'function', name: 'branin', steps: 5 },
};

let workspace: Workspace;
beforeEach(async () => {
  ({ workspace } = await initProject(tempDir(), { context: testContext() }));
});
afterEach(async () => {
  await workspace.close();
});

function request(overrides: Partial<TuneRequest> = {}): TuneRequest {
  return { workspace, settings: SETTINGS, trials: 12, context: testContext(), ...overrides };
}

describe('runStudy', () => {
  it('runs trials to the target and nests a run per trial under the study run', async () => {
    const result = await runStudy(request());
    expect(result.stoppedBy).toBe('trials');
    expect(result.resumed).toBe(false);
    expect(result.trials).toHaveLength(12);
    expect(result.trials.every((trial) => trial.state === 'complete' || trial.state === 'pruned')).toBe(true);
    const best = Math.min(...result.trials.flatMap((trial) => (trial.value === undefined ? [] : [trial.value])));
    expect(result.best?.value).toBe(best);
    expect(result.best?.value).toBeCloseTo(TEST_FUNCTIONS.branin.evaluate(result.best?.params ?? {}), 12);
    const page = await workspace.runs.searchRuns({ maxResults: 100 });
    const parent = page.runs.find((run) => run.name === 'branin');
    const children = page.runs.filter((run) => run.parentRunId === parent?.id);
    expect(children.map((run) => run.name).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `trial-${i}`).sort());
    expect(parent?.status).toBe('FINISHED');
  });

  it('resumes a study: keeps finished trials, fails abandoned ones, and tops up to the new target', async () => {
    await runStudy(request({ trials: 4 }));
    // A trial left running by a process that is gone, as a crash leaves it.
    const store = new SqliteStudyStore(workspace.databaseFile);
    const record = store.findStudy('branin') ?? expect.fail('no study');
    store.trials(record, 'elsewhere:1').createTrial({ x0: 0, x1: 0 });
    store.close();
    const result = await runStudy(request({ trials: 7 }));
    expect(result.resumed).toBe(true);
    expect(result.abandoned).toEqual([4]);
    expect(result.trials).toHaveLength(8);
    expect(result.trials[4]).toMatchObject({ state: 'failed', attributes: { abandoned: 1 } });
    expect(result.trials.filter((trial) => trial.state !== 'failed')).toHaveLength(7);
  });

  it('refuses to resume a study with a different search space', async () => {
    await runStudy(request({ trials: 1 }));
    await expect(runStudy(request({ settings: { ...SETTINGS, space: { x0: SETTINGS.space.x0 as never } } }))).rejects.toThrow(/exists with a different space/);
  });

  it('runs trials in worker threads without losing any', async () => {
    const result = await runStudy(request({ trials: 10, evaluator: threadEvaluator(3) }));
    expect(result.trials).toHaveLength(10);
    expect(result.trials.map((trial) => trial.number)).toEqual([...Array(10).keys()]);
    expect(result.trials.filter((trial) => trial.state === 'running' || trial.state === 'failed')).toEqual([]);
    for (const trial of result.trials.filter((t) => t.state === 'complete')) expect(trial.value).toBeCloseTo(TEST_FUNCTIONS.branin.evaluate(trial.params), 12);
    // Every reported step reached the shared database from the threads.
    expect(result.trials.filter((t) => t.state === 'complete').every((trial) => trial.intermediateValues.size === 5)).toBe(true);
  });

  it('stops asking after the timeout, and on abort marks running trials interrupted', async () => {
    const timedOut = await runStudy(request({ trials: 1000, timeoutSeconds: 0 }));
    expect(timedOut).toMatchObject({ stoppedBy: 'timeout', trials: [] });
    const controller = new AbortController();
    const result = await runStudy(
      request({ settings: { ...SETTINGS, name: 'aborted' }, trials: 1000, signal: controller.signal, onTrial: (_trial, { finished }) => finished === 3 && controller.abort() }),
    );
    expect(result.stoppedBy).toBe('interrupt');
    expect(result.trials.filter((trial) => trial.state !== 'failed')).toHaveLength(3);
  });
});
