/**
 * The engine against gbstats' published formulas, transcribed into Python because gbstats cannot be
 * installed here (test/fixtures/stats/make-gbstats-reference.py says what was transcribed from where):
 * relative-scale t-tests, two-sided and one-sided sequential tests, and the one-sided mSPRT against numerical
 * integration. Agreement to 1e-6 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { expectClose } from '../../test/support/stats-reference.js';
import { meanArmEstimate } from './arm-estimate.js';
import { welchTest, type Comparison, type ComparisonResult } from './comparison.js';
import { confidenceSequence } from './sequential.js';
import { oneSidedConfidenceSequence, oneSidedMixtureSprt } from './sequential-one-sided.js';
import type { MeanStatistics } from './sufficient-statistics.js';

interface Reference {
  name: string;
  control: MeanStatistics;
  treatment: MeanStatistics;
  alpha: number;
  tuningParameter: number;
  mixtureStandardDeviation: number;
  relative: { estimate: number; standardError: number; degreesOfFreedom: number };
  twoSided: { pValue: number; interval: (number | null)[] };
  greater: { pValue: number; interval: (number | null)[] };
  sequentialTwoSided: { pValue: number; interval: (number | null)[] };
  sequentialGreater: { pValue: number; interval: (number | null)[] };
  sequentialLess: { pValue: number; interval: (number | null)[] };
  msprtGreater: { pValue: number; bound: number };
  msprtLess: { pValue: number; bound: number };
}

const { cases } = JSON.parse(readFileSync(new URL('../../test/fixtures/stats/gbstats-reference.json', import.meta.url), 'utf8')) as { cases: Reference[] };

function computed(result: ComparisonResult): Comparison {
  if (result.degeneracy !== null) throw new Error(result.message);
  return result;
}

function expectInterval(actual: readonly [number, number], expected: (number | null)[], label: string): void {
  expectClose(actual[0], expected[0] ?? null, `${label} lower`);
  expectClose(actual[1], expected[1] ?? null, `${label} upper`);
}

describe('against the formulas of gbstats (frequentist/tests.py, transcribed)', () => {
  it.each(cases.map((reference) => [reference.name, reference] as const))('%s', (_, reference) => {
    const control = meanArmEstimate(reference.control);
    const treatment = meanArmEstimate(reference.treatment);
    const options = { scale: 'relative' as const, alpha: reference.alpha };
    const twoSided = computed(welchTest(control, treatment, { ...options, alternative: 'two-sided' }));
    expectClose(twoSided.effect.estimate, reference.relative.estimate, 'relative estimate');
    expectClose(twoSided.effect.standardError, reference.relative.standardError, 'delta-method standard error');
    expectClose(twoSided.degreesOfFreedom, reference.relative.degreesOfFreedom, 'degrees of freedom');
    expectClose(twoSided.pValue, reference.twoSided.pValue, 'TwoSidedTTest p');
    expectInterval(twoSided.interval, reference.twoSided.interval, 'TwoSidedTTest interval');
    const greater = computed(welchTest(control, treatment, { ...options, alternative: 'greater' }));
    expectClose(greater.pValue, reference.greater.pValue, 'OneSidedTreatmentGreaterTTest p');
    expectInterval(greater.interval, reference.greater.interval, 'OneSidedTreatmentGreaterTTest interval');

    const units = reference.control.n + reference.treatment.n;
    const sequence = confidenceSequence(twoSided.effect, units, reference.alpha, reference.tuningParameter);
    expectClose(sequence.pValue, reference.sequentialTwoSided.pValue, 'SequentialTwoSidedTTest p');
    expectInterval(sequence.interval, reference.sequentialTwoSided.interval, 'SequentialTwoSidedTTest interval');
    for (const [alternative, expected] of [
      ['greater', reference.sequentialGreater],
      ['less', reference.sequentialLess],
    ] as const) {
      const oneSided = oneSidedConfidenceSequence(twoSided.effect, units, reference.alpha, alternative, { tuningParameter: reference.tuningParameter });
      expectClose(oneSided.pValue, expected.pValue, `SequentialOneSided ${alternative} p`);
      expectInterval(oneSided.interval, expected.interval, `SequentialOneSided ${alternative} interval`);
    }
    for (const [alternative, expected] of [
      ['greater', reference.msprtGreater],
      ['less', reference.msprtLess],
    ] as const) {
      const mixture = oneSidedMixtureSprt(twoSided.effect, reference.mixtureStandardDeviation, reference.alpha, alternative);
      expectClose(mixture.pValue, expected.pValue, `one-sided mSPRT ${alternative} p`);
      expectClose(alternative === 'greater' ? mixture.interval[0] : mixture.interval[1], expected.bound, `one-sided mSPRT ${alternative} bound`);
    }
  });
});
