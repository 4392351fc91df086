import { describe, expect, it } from 'vitest';
import { MlcycleError } from '../error.js';
import { seededRandom } from '../stats/random.js';
import { optimizationHistory } from './optimization-history.js';
import { parameterImportances } from './parameter-importance.js';
import { randomSampler } from './random-sampler.js';
import type { SearchSpace } from './search-space.js';
import { Study } from './study.js';
import { inMemoryStudyStorage } from './study-storage.js';

const space: SearchSpace = {
  x: { type: 'float', low: -1, high: 1, log: false },
  noise: { type: 'float', low: 0, high: 1, log: false },
  kind: { type: 'categorical', choices: ['a', 'b'] },
};

describe('Study', () => {
  it('moves trials through running to complete, pruned or failed, and keeps the best complete one', () => {
    const study = new Study({ space, direction: 'maximize', sampler: randomSampler(seededRandom(1)) });
    const first = study.ask();
    const second = study.ask();
    const third = study.ask();
    study.report(second.number, 0, 5);
    study.tell(first.number, { state: 'complete', value: 2 });
    study.tell(second.number, { state: 'pruned' });
    study.tell(third.number, { state: 'complete', value: NaN });
    expect(study.trials.map((trial) => trial.state)).toEqual(['complete', 'pruned', 'failed']);
    expect(study.bestTrial()?.number).toBe(first.number);
    expect(() => study.tell(first.number, { state: 'failed' })).toThrow(MlcycleError);
    expect(() => study.report(99, 0, 1)).toThrow(/no trial 99/);
  });

  it('resumes from a storage that already holds trials', () => {
    const storage = inMemoryStudyStorage();
    const before = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(2)), storage });
    before.optimize((p) => (p.x as number) ** 2, 5);
    const after = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(3)), storage });
    expect(after.ask().number).toBe(5);
    expect(after.bestTrial()?.number).toBe(before.bestTrial()?.number);
  });

  it('draws random values within bounds, log values spread over decades', () => {
    const random = randomSampler(seededRandom(4));
    const context = { trials: [], direction: 'minimize' as const };
    const logs = Array.from({ length: 2000 }, () => random.sampleIndependent(context, 'lr', { type: 'float', low: 1e-4, high: 1, log: true }) as number);
    expect(Math.min(...logs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...logs)).toBeLessThan(1);
    expect(logs.filter((v) => v < 1e-2).length / logs.length).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: 2000 }, () => random.sampleIndependent(context, 'n', { type: 'int', low: 1, high: 3, log: false, step: 1 }));
    for (const value of [1, 2, 3]) expect(ints.filter((v) => v === value).length / ints.length).toBeCloseTo(1 / 3, 1);
  });
});

describe('optimizationHistory', () => {
  it('gives each complete trial its value and the best so far', () => {
    const study = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(5)) });
    [3, 1, 2].forEach((value) => study.tell(study.ask().number, { state: 'complete', value }));
    study.tell(study.ask().number, { state: 'failed' });
    expect(optimizationHistory(study.trials, 'minimize')).toEqual([
      { trial: 0, value: 3, best: 3 },
      { trial: 1, value: 1, best: 1 },
      { trial: 2, value: 2, best: 1 },
    ]);
  });
});

describe('parameterImportances', () => {
  it('credits the parameters the objective depends on and not the noise parameter', () => {
    const study = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(6)) });
    study.optimize((p) => 4 * (p.x as number) ** 2 + (p.kind === 'b' ? 1 : 0), 300);
    const { importances, degenerate } = parameterImportances(space, study.trials);
    expect(degenerate).toBeUndefined();
    expect(importances.map((entry) => entry.name)).toEqual(['x', 'kind', 'noise']);
    expect(importances.reduce((sum, entry) => sum + entry.importance, 0)).toBeCloseTo(1, 12);
    expect(importances[2]?.importance).toBeLessThan(0.05);
  });

  it('reports a constant objective instead of dividing by zero', () => {
    const study = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(7)) });
    study.optimize(() => 1, 20);
    expect(parameterImportances(space, study.trials).degenerate).toBe('constant-objective');
  });

  it('tells a varying objective that no parameter explains apart from a constant one', () => {
    // Values alternate regardless of the parameters: every parameter's bins hold both values alike.
    let call = 0;
    const study = new Study({ space, direction: 'minimize', sampler: randomSampler(seededRandom(7)) });
    study.optimize(() => call++ % 2, 4);
    const result = parameterImportances(space, study.trials);
    expect(result.degenerate).toBe('unexplained');
    expect(result.importances.every((entry) => entry.importance === 0)).toBe(true);
  });
});
