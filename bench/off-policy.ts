/**
 * Offline estimates (issue 8, the off-policy and business-value part), mlcycle against numpy on the same
 * data in the same run:
 * - off-policy.estimate-1m-s: IPS, SNIPS, DM, DR and Switch-DR on 1,000,000 logged rows (3 actions) with
 *   100 bootstrap resamples each; the reference computes the same five with numpy (vectorised, 100
 *   resamples of `rng.integers`) in off-policy-reference.py;
 * - off-policy.value-curve-1m-s: the binary value curve over all distinct cut points of 1,000,000 scores
 *   and the best threshold under a false-positive-rate guardrail; the reference is the numpy one-pass
 *   scikit-learn uses for its curves (argsort, cumsum, distinct-value indices).
 * The data is generated here (synthetic-bandit.ts's generator) and written as raw float64 files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeBinaryValue } from '../src/evaluate/business-value-curve.js';
import { estimatePolicyValue } from '../src/evaluate/off-policy/estimate-policy-value.js';
import { generateSyntheticBandit } from '../src/evaluate/off-policy/synthetic-bandit.js';
import { seededRandom } from '../src/stats/random.js';
import { report } from './report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROWS = 1_000_000;
const RESAMPLES = 100;

function writeFloats(file: string, values: ArrayLike<number>): void {
  writeFileSync(file, Buffer.from(Float64Array.from(values).buffer));
}

/** Runs the off-policy and value-curve benchmarks and prints their summary lines. */
export async function benchOffPolicy(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'mlcycle-bench-off-policy-'));
  try {
    const { data } = generateSyntheticBandit(1, { rowCount: ROWS });
    const probabilities = 'probabilities' in data.evaluationPolicy ? data.evaluationPolicy.probabilities : [];
    writeFloats(path.join(scratch, 'actions.f64'), data.actions);
    writeFloats(path.join(scratch, 'propensities.f64'), data.propensities);
    writeFloats(path.join(scratch, 'rewards.f64'), data.rewards);
    writeFloats(path.join(scratch, 'probabilities.f64'), probabilities);
    writeFloats(path.join(scratch, 'predictions.f64'), data.rewardPredictions);
    let start = performance.now();
    const estimate = estimatePolicyValue(data, { resamples: RESAMPLES, seed: 1, switchThreshold: 2 });
    const estimateSeconds = (performance.now() - start) / 1000;

    const random = seededRandom(2);
    const labels = new Float64Array(ROWS);
    const scores = new Float64Array(ROWS);
    for (let row = 0; row < ROWS; row++) {
      labels[row] = random() < 0.2 ? 1 : 0;
      // Rounded to 1e-4 so that scores tie as real model scores do.
      scores[row] = Math.round(Math.min(1, Math.max(0, 0.3 + 0.2 * (labels[row] as number) + 0.2 * (random() - 0.5) * 2)) * 1e4) / 1e4;
    }
    writeFloats(path.join(scratch, 'labels.f64'), labels);
    writeFloats(path.join(scratch, 'scores.f64'), scores);
    const valueModel = { currency: 'USD', truePositive: 14, falsePositive: -4, falseNegative: -6, trueNegative: 0, maxFalsePositiveRate: 0.2 };
    start = performance.now();
    const analysis = analyzeBinaryValue(scores, labels, valueModel, { resamples: 1 });
    const curveSeconds = (performance.now() - start) / 1000;

    const reference = JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(here, 'off-policy-reference.py'), scratch, String(RESAMPLES)], { encoding: 'utf8', maxBuffer: 1 << 24 }),
    ) as { estimateSeconds: number; curveSeconds: number; estimates: Record<string, number>; bestThreshold: number; bestValue: number };
    for (const entry of estimate.estimates) {
      console.log(`${entry.estimator}: mlcycle ${entry.value.toFixed(6)} numpy ${reference.estimates[entry.estimator]?.toFixed(6)}`);
    }
    if (analysis.best.found)
      console.log(`best threshold: mlcycle ${analysis.best.point.threshold} (${analysis.best.point.valuePerDecision.toFixed(6)}) numpy ${reference.bestThreshold} (${reference.bestValue.toFixed(6)}); ${analysis.curve.thresholds.length} cut points`);
    report('off-policy.estimate-1m-s', estimateSeconds, reference.estimateSeconds);
    report('off-policy.value-curve-1m-s', curveSeconds, reference.curveSeconds);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
