import { describe, expect, it } from 'vitest';
import { analysisInputSchema } from './analysis-input.js';
import { analyzeExperiment } from './analyze-experiment.js';

/** A two-arm experiment with a conversion metric and, optionally, a latency guardrail. */
function experiment(conversions: [number, number], options: { units?: [number, number]; latency?: [number, number]; mde?: number } = {}) {
  const units = options.units ?? [10000, 10000];
  const latencyArm = (mean: number, n: number) => ({ n, sum: mean * n, sumSquares: n * (mean * mean + 40 * 40) });
  return analysisInputSchema.parse({
    name: 'test',
    arms: [
      { id: 'control', weight: 1, units: units[0] },
      { id: 'treatment', weight: 1, units: units[1] },
    ],
    metrics: [
      {
        id: 'conversion',
        kind: 'proportion',
        ...(options.mde === undefined ? {} : { minimumDetectableEffect: options.mde }),
        arms: { control: { n: units[0], successes: conversions[0] }, treatment: { n: units[1], successes: conversions[1] } },
      },
      ...(options.latency === undefined
        ? []
        : [{ id: 'latency', kind: 'mean', role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.01, arms: { control: latencyArm(options.latency[0], units[0]), treatment: latencyArm(options.latency[1], units[1]) } }]),
    ],
  });
}

function decisionOf(input: ReturnType<typeof experiment>) {
  const [decision] = analyzeExperiment(input).decisions;
  return decision;
}

describe('decisions', () => {
  it('ships a clear win with a guardrail within its margin', () => {
    expect(decisionOf(experiment([1000, 1200], { latency: [300, 300.5] }))).toMatchObject({ decision: 'ship', reasons: [expect.stringMatching(/^conversion improved: \+20\.00%/)] });
  });

  it('does not ship a clear loss', () => {
    expect(decisionOf(experiment([1200, 1000]))).toMatchObject({ decision: 'dont-ship', reasons: [expect.stringMatching(/^conversion got worse: -16\.67%/)] });
  });

  it('keeps running when the interval still holds effects worth shipping', () => {
    expect(decisionOf(experiment([1000, 1010], { mde: 0.02 }))).toMatchObject({ decision: 'keep-running', reasons: [expect.stringMatching(/too early to tell/)] });
  });

  it('does not ship a flat result whose interval excludes the effect worth shipping', () => {
    expect(decisionOf(experiment([100000, 100100], { units: [1000000, 1000000], mde: 0.02 }))).toMatchObject({ decision: 'dont-ship', reasons: [expect.stringMatching(/did not move by the 2\.00% worth shipping/)] });
  });

  it('investigates a guardrail breach and a sample ratio mismatch', () => {
    expect(decisionOf(experiment([1000, 1200], { latency: [300, 310] }))).toMatchObject({ decision: 'investigate', reasons: [expect.stringMatching(/^Guardrail latency got worse/)] });
    expect(decisionOf(experiment([1000, 1200], { units: [10000, 10600] }))).toMatchObject({ decision: 'investigate', reasons: [expect.stringMatching(/sample ratio mismatch/)] });
  });

  it('keeps running with a degenerate primary metric, reported as a field', () => {
    const analysis = analyzeExperiment(experiment([0, 0]));
    expect(analysis.metrics[0]?.comparisons[0]).toMatchObject({ degeneracy: 'zero-variance' });
    expect(analysis.decisions[0]).toMatchObject({ decision: 'keep-running', reasons: [expect.stringMatching(/cannot be tested yet: the metric does not vary/)] });
  });
});

describe('sequential inference with one-sided alternatives and guardrails', () => {
  const withOptions = (options: Record<string, unknown>) => ({ ...experiment([1000, 1100], { latency: [300, 300.5] }), options: { ...experiment([0, 0]).options, ...options } }) as ReturnType<typeof experiment>;

  it('uses the one-sided confidence sequence for a one-sided alternative: a half-open interval, narrower on its side than the two-sided one', () => {
    const oneSided = analyzeExperiment(withOptions({ alternative: 'greater', sequential: { method: 'confidence-sequence', tuningParameter: 5000 } })).metrics[0]?.comparisons[0];
    const twoSided = analyzeExperiment(withOptions({ sequential: { method: 'confidence-sequence', tuningParameter: 5000 } })).metrics[0]?.comparisons[0];
    if (oneSided?.degeneracy !== null || twoSided?.degeneracy !== null) throw new Error('degenerate');
    expect(oneSided.inference).toBe('confidence-sequence');
    expect(oneSided.interval[1]).toBe(Infinity);
    expect(oneSided.interval[0]).toBeGreaterThan(twoSided.interval[0]);
    expect(oneSided.pValue).toBeLessThan(twoSided.pValue);
  });

  it('watches a guardrail with the one-sided sequential test against its margin', () => {
    for (const sequential of [{ method: 'confidence-sequence', tuningParameter: 5000 }, { method: 'mixture-sprt', mixtureStandardDeviation: 0.01 }]) {
      const analysis = analyzeExperiment(withOptions({ sequential }));
      const guardrail = analysis.metrics[1]?.comparisons[0];
      if (guardrail?.degeneracy !== null || guardrail.nonInferiority === null) throw new Error('no guardrail test');
      expect(guardrail.nonInferiority.inference).toBe(sequential.method);
      // Latency is a decrease metric: the upper bound of the relative harm is compared with the 1% margin.
      expect(guardrail.nonInferiority.interval[0]).toBe(-Infinity);
      expect(guardrail.nonInferiority.nonInferior).toBe(guardrail.nonInferiority.interval[1] < 0.01);
      const fixed = analyzeExperiment(withOptions({})).metrics[1]?.comparisons[0];
      if (fixed?.degeneracy !== null || fixed.nonInferiority === null) throw new Error('no guardrail test');
      expect(guardrail.nonInferiority.interval[1]).toBeGreaterThan(fixed.nonInferiority.interval[1]);
    }
  });
});
