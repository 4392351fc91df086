// TPE against Optuna 3.1's TPESampler, as it is and patched with optuna/optuna#5110: fed numpy's random
// numbers, the sampler proposes the same parameters trial after trial. test/fixtures/tune/parzen-reference.py ran Optuna.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mersenneTwister } from '../stats/mersenne-twister.js';
import { seededRandom } from '../stats/random.js';
import { makeSampler } from './sampler-settings.js';
import type { ParameterValue, SearchSpace } from './search-space.js';
import { Study } from './study.js';
import { defaultGamma, rankFinishedTrials, tpeSampler } from './tpe-sampler.js';
import type { Trial } from './trial.js';

interface TpeRun {
  density: 'optuna-3.1' | 'normalised';
  multivariate: boolean;
  seed: number;
  trials: { params: Record<string, ParameterValue>; value: number }[];
}

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/tune/parzen-reference.json', import.meta.url), 'utf8')) as { tpe: TpeRun[] };

const space: SearchSpace = {
  x: { type: 'float', low: -5, high: 5, log: false },
  y: { type: 'float', low: -5, high: 5, log: false },
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  kind: { type: 'categorical', choices: ['a', 'b', 'c'] },
};
const CHOICE_COST: Record<string, number> = { a: 0, b: 0.5, c: 2 };

function objective(params: Readonly<Record<string, ParameterValue>>): number {
  const { x, y, lr, kind } = params as { x: number; y: number; lr: number; kind: string };
  return (x - 1) ** 2 + (y + 2) ** 2 + (Math.log10(lr) + 2) ** 2 + (CHOICE_COST[kind] ?? NaN);
}

/**
 * How many trials agree. With seed 1, under either density, trial 27's candidates all have l(x)/g(x) = 1
 * exactly for the categorical parameter; the scores differ from zero by rounding alone (1.7e-16 against -2.2e-16 in
 * Optuna), which picks a different category, and the runs part ways from there.
 */
const AGREEING_TRIALS: Record<string, number> = { 'optuna-3.1 1': 27, 'normalised 1': 27 };

/**
 * Asks the study for each of Optuna's trials in turn, expects the same parameters (numbers within 1e-9) and
 * tells it the objective's value of its own parameters, or Optuna's value when no objective is given.
 */
function expectOptunaTrials(study: Study, trials: readonly { params: Record<string, ParameterValue>; value: number }[], score?: (params: Readonly<Record<string, ParameterValue>>) => number): void {
  for (const expected of trials) {
    const trial = study.ask();
    for (const [name, value] of Object.entries(expected.params)) {
      if (typeof value === 'number') expect(trial.params[name]).toBeCloseTo(value, 9);
      else expect(trial.params[name]).toBe(value);
    }
    study.tell(trial.number, { state: 'complete', value: score === undefined ? expected.value : score(trial.params) });
  }
}

describe('TPE sampler against Optuna', () => {
  for (const run of fixture.tpe) {
    const variant = `${run.density}${run.multivariate ? ' multivariate' : ''} ${run.seed}`;
    const agreeing = AGREEING_TRIALS[variant] ?? run.trials.length;
    it(`proposes Optuna's first ${agreeing} trials (${variant}; parameters within 1e-9)`, () => {
      const sampler = tpeSampler({ random: mersenneTwister(run.seed), startupRandom: mersenneTwister(run.seed), density: run.density, multivariate: run.multivariate });
      const study = new Study({ space, direction: 'minimize', sampler });
      expectOptunaTrials(study, run.trials.slice(0, agreeing), objective);
      expect(study.bestTrial()?.value).toBeCloseTo(Math.min(...run.trials.slice(0, agreeing).map((trial) => trial.value)), 9);
    });
  }

  for (const run of fixture.tpe.filter((candidate) => candidate.density === 'optuna-3.1' && !candidate.multivariate)) {
    const agreeing = AGREEING_TRIALS[`${run.density} ${run.seed}`] ?? run.trials.length;
    it(`a stored study's default TPE with seed ${run.seed} is Optuna's TPESampler(seed=${run.seed}) (first ${agreeing} trials)`, () => {
      const study = new Study({ space, direction: 'minimize', sampler: makeSampler({ kind: 'tpe', seed: run.seed }) });
      expectOptunaTrials(study, run.trials.slice(0, agreeing), objective);
    });
  }
});

const integerFixture = JSON.parse(readFileSync(new URL('../../test/fixtures/tune/tpe-integer-reference.json', import.meta.url), 'utf8')) as {
  runs: { ties: boolean; trials: { params: Record<string, number>; value: number }[] }[];
};

describe('TPE sampler against Optuna with integer parameters tried more than once', () => {
  const integerSpace: SearchSpace = {
    learningRate: { type: 'float', low: 0.02, high: 0.3, log: true },
    numLeaves: { type: 'int', low: 4, high: 64, log: true, step: 1 },
    minDataInLeaf: { type: 'int', low: 5, high: 200, log: true, step: 1 },
    featureFraction: { type: 'float', low: 0.5, high: 1, log: false },
    lambdaL2: { type: 'float', low: 1e-3, high: 10, log: true },
  };
  for (const run of integerFixture.runs) {
    // Equal integer centres take their widths in numpy's argsort order; a stable sort parted from Optuna at trial 42 (32 with ties).
    it(`proposes Optuna's 60 trials${run.ties ? ', with ties in the objective' : ''} (parameters within 1e-9)`, () => {
      const study = new Study({ space: integerSpace, direction: 'maximize', sampler: makeSampler({ kind: 'tpe', seed: 0 }) });
      expectOptunaTrials(study, run.trials);
    });
  }
});

describe('TPE sampler', () => {
  it('keeps integer and stepped values on their grids and within bounds', () => {
    const grid: SearchSpace = { n: { type: 'int', low: 2, high: 20, log: false, step: 3 }, m: { type: 'int', low: 1, high: 1000, log: true, step: 1 }, f: { type: 'float', low: 0, high: 1, log: false, step: 0.25 } };
    const study = new Study({ space: grid, direction: 'maximize', sampler: tpeSampler({ random: seededRandom(3) }) });
    study.optimize((p) => -Math.abs((p.n as number) - 11) - Math.abs(Math.log((p.m as number) / 30)) + (p.f as number), 60);
    for (const trial of study.trials) {
      expect((trial.params.n as number - 2) % 3).toBe(0);
      expect(Number.isInteger(trial.params.m)).toBe(true);
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(trial.params.f);
    }
    expect(study.bestTrial()?.params.n).toBe(11);
  });

  it('samples a conditional parameter only while its parent takes the given values', () => {
    const conditional: SearchSpace = {
      booster: { type: 'categorical', choices: ['gbdt', 'dart'] },
      dropRate: { type: 'float', low: 0, high: 0.5, log: false, condition: { parent: 'booster', values: ['dart'] } },
    };
    const study = new Study({ space: conditional, direction: 'minimize', sampler: tpeSampler({ random: seededRandom(5) }) });
    study.optimize((p) => (p.booster === 'dart' ? Math.abs((p.dropRate as number) - 0.1) : 0.3), 40);
    for (const trial of study.trials) expect('dropRate' in trial.params).toBe(trial.params.booster === 'dart');
    expect(study.bestTrial()?.params.booster).toBe('dart');
  });

  it('ranks complete trials first, then pruned ones by how far they got', () => {
    const trial = (number: number, state: Trial['state'], value: number | undefined, steps: [number, number][] = []): Trial => ({ number, state, params: {}, ...(value === undefined ? {} : { value }), intermediateValues: new Map(steps), attributes: {} });
    const trials = [trial(0, 'pruned', undefined, [[1, 0.1]]), trial(1, 'complete', 3), trial(2, 'pruned', undefined, [[1, 0.5], [5, 0.9]]), trial(3, 'failed', undefined), trial(4, 'complete', 2), trial(5, 'pruned', undefined)];
    expect(rankFinishedTrials({ trials, direction: 'minimize' }).map((t) => t.number)).toEqual([4, 1, 2, 0, 5]);
  });

  it("splits off the best tenth, at most 25, as Optuna's default_gamma", () => {
    expect([1, 10, 11, 100, 1000].map(defaultGamma)).toEqual([1, 1, 2, 10, 25]);
  });

  it('multivariate TPE improves on its startup trials', () => {
    const study = new Study({ space, direction: 'minimize', sampler: tpeSampler({ random: seededRandom(11), multivariate: true }) });
    study.optimize(objective, 60);
    const startupBest = Math.min(...study.trials.slice(0, 10).map((t) => t.value ?? Infinity));
    expect(study.bestTrial()?.value).toBeLessThan(startupBest);
  });
});
