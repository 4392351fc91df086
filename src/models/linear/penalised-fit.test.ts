import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_DATA } from '../../../test/support/data-workspace.js';
import { inferSignature, resolveInputs, type InputColumns } from '../input-signature.js';
import { featureNames, fitPipeline } from '../pipeline/feature-pipeline.js';
import { predictLinearModel, trainLinearModel, type LinearTrainingOptions } from './linear-model.js';
import { fitLogistic, fitRidge, type FeatureMatrix } from './linear-models.js';
import { seededRandom } from '../../stats/random.js';
import { columnView, viewScores } from './coordinate-descent.js';
import { fitElasticNet, fitPenalisedLogistic, linearObjective, logisticObjective, type PenalisedFit } from './penalised-fit.js';

/** One scikit-learn fit of test/fixtures/linear/make-reference.py. */
interface ReferenceFit {
  name: string;
  learner: 'linear-regression' | 'logistic-regression';
  alpha?: number;
  C?: number;
  l1Ratio: number;
  weighted: boolean;
  coefficients: Record<string, number>;
  intercept: number;
  objective: number;
  predictions: number[];
}
interface Reference {
  numeric: string[];
  categorical: string[];
  fits: ReferenceFit[];
}
interface SyntheticReference extends Reference {
  columns: InputColumns;
  regressionLabel: number[];
  binaryLabel: number[];
  weights: number[];
}
const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../../test/fixtures/linear/${name}`, import.meta.url), 'utf8')) as T;
const SYNTHETIC = fixture<SyntheticReference>('synthetic.json');
const BANK = fixture<Reference>('bank.json');

/** The bank marketing file as named columns: numbers where a value parses as one, else strings. */
function bankColumns(): Record<string, (number | string)[]> {
  const lines = readFileSync(path.join(TEST_DATA, 'bank-marketing.csv'), 'utf8').trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  const columns = header.map((): (number | string)[] => []);
  for (const line of lines.slice(1)) {
    line.split(';').forEach((text, index) => columns[index]?.push(text !== '' && Number.isFinite(Number(text)) ? Number(text) : text));
  }
  return Object.fromEntries(header.map((name, index) => [name, columns[index] ?? []]));
}

/*
 * Tolerances. scikit-learn's coordinate descent stops at a duality gap of 1e-14 relative to |y|^2 / n, and
 * saga when no weight moves by more than 1e-12 of the largest; mlcycle stops when no coordinate move
 * would change the objective by more than `tolerance` (here 1e-13) of its scale. Both objectives are then
 * within about 1e-12 relative of the optimum, which bounds coefficient errors to about the square root
 * (1e-6) times the conditioning of the standardised problem: 1e-4 leaves a factor 100 for it. The
 * objective must be no worse than scikit-learn's by more than 1e-10 relative.
 */
const COEFFICIENT_TOLERANCE = 1e-4;
const OBJECTIVE_SLACK = 1e-10;

function compare(reference: Reference, columns: InputColumns, labelOf: (fit: ReferenceFit) => number[], weights?: number[]) {
  for (const fit of reference.fits) {
    const names = Object.keys(fit.coefficients);
    const features = [...reference.numeric.filter((name) => names.includes(name)).map((name) => ({ name, type: 'numeric' as const })), ...reference.categorical.map((name) => ({ name, type: 'categorical' as const }))];
    const label = labelOf(fit);
    const sampleWeight = fit.weighted ? weights : undefined;
    const options: LinearTrainingOptions = {
      learner: fit.learner,
      features,
      penalty: fit.l1Ratio === 1 ? 'l1' : fit.l1Ratio === 0 ? 'l2' : 'elasticnet',
      l1Ratio: fit.l1Ratio,
      tolerance: 1e-13,
      ...(fit.alpha === undefined ? {} : { alpha: fit.alpha }),
      ...(fit.C === undefined ? {} : { C: fit.C }),
      ...(sampleWeight === undefined ? {} : { sampleWeight }),
    };
    const model = trainLinearModel(columns, label, options);
    expect(model.training.converged, fit.name).toBe(true);
    // Features sklearn lacks (the missing-category slot when no value is missing) are all-zero columns.
    const ours = featureNames(model.pipeline);
    expect(names.filter((name) => !ours.includes(name)), `${fit.name}: features scikit-learn has and mlcycle lacks`).toEqual([]);
    const theirs = Float64Array.from(ours, (name) => fit.coefficients[name] ?? 0);
    ours.forEach((name, feature) => {
      expect(Math.abs((model.weights[feature] as number) - (theirs[feature] as number)), `${fit.name} ${name}`).toBeLessThan(COEFFICIENT_TOLERANCE);
      expect(model.weights[feature] === 0, `${fit.name}: ${name} is zero in one fit only`).toBe(theirs[feature] === 0);
    });
    expect(Math.abs(model.intercept - fit.intercept), `${fit.name} intercept`).toBeLessThan(COEFFICIENT_TOLERANCE);
    const predictions = predictLinearModel(model, columns);
    fit.predictions.forEach((expected, row) => expect(Math.abs((predictions[row] as number) - expected), `${fit.name} prediction ${row}`).toBeLessThan(COEFFICIENT_TOLERANCE));
    // Both objectives measured by mlcycle's code on mlcycle's matrix, and against scikit-learn's own value.
    const signature = inferSignature(columns, features);
    const { matrix } = fitPipeline(signature, resolveInputs(signature, columns), label);
    const at = { weights: theirs, intercept: fit.intercept };
    const reached = fit.learner === 'linear-regression' ? linearObjective(matrix, label, at, fit.alpha ?? 1, fit.l1Ratio, sampleWeight) : logisticObjective(matrix, label, at, fit.C ?? 1, fit.l1Ratio, sampleWeight);
    const objective = model.training.objective as number;
    expect(Math.abs(reached - fit.objective) / fit.objective, `${fit.name}: objective of sklearn's fit`).toBeLessThan(1e-12);
    expect(objective, `${fit.name} objective`).toBeLessThanOrEqual(reached * (1 + OBJECTIVE_SLACK));
    expect(Math.abs(objective - fit.objective) / fit.objective).toBeLessThan(1e-5);
  }
}

describe('penalised linear models against scikit-learn', () => {
  it('agree on a small synthetic set: lasso, elastic net, L1 and elastic-net logistic, with and without weights', () => {
    const labelOf = (fit: ReferenceFit) => (fit.learner === 'linear-regression' ? SYNTHETIC.regressionLabel : SYNTHETIC.binaryLabel);
    compare(SYNTHETIC, SYNTHETIC.columns, labelOf, SYNTHETIC.weights);
  });

  it('agree on the bank marketing data (41,188 rows, 3 categorical columns one-hot)', () => {
    const columns = bankColumns();
    compare(BANK, columns, (fit) => (fit.learner === 'linear-regression' ? columns.age : columns.y) as number[]);
  }, 60_000);
});

/** A dense matrix of random numbers, one constant column, one all-zero column, and a 3-level category. */
function randomMatrix(rows: number): { matrix: FeatureMatrix; y: Float64Array; labels: Float64Array } {
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const denseWidth = 4;
  const dense = new Float64Array(rows * denseWidth);
  const active = new Int32Array(rows);
  const y = new Float64Array(rows);
  const labels = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    dense[row * denseWidth] = next();
    dense[row * denseWidth + 1] = next();
    dense[row * denseWidth + 2] = 0;
    dense[row * denseWidth + 3] = 0;
    active[row] = denseWidth + (row % 3);
    y[row] = 2 * (dense[row * denseWidth] as number) - (row % 3) + next();
    labels[row] = (y[row] as number) + next() > -1 ? 1 : 0;
  }
  return { matrix: { rows, dense, denseWidth, active, activeWidth: 1, features: denseWidth + 3 }, y, labels };
}

describe('the coordinate descent solvers', () => {
  it('match the Newton solvers on L2 problems, with zero weights for all-zero columns', () => {
    const { matrix, y, labels } = randomMatrix(300);
    // Ridge: sklearn's 1/(2n) |r|^2 + alpha/2 |w|^2 is the Newton solver's 1/2 |r|^2 + lambda/2 |w|^2 over n.
    const ridge = fitElasticNet(matrix, y, 0.1, { l1Ratio: 0, tolerance: 1e-16 });
    const newton = fitRidge(matrix, y, 0.1 * 300);
    ridge.weights.forEach((weight, feature) => expect(Math.abs(weight - (newton.weights[feature] as number))).toBeLessThan(1e-6));
    expect(Math.abs(ridge.intercept - newton.intercept)).toBeLessThan(1e-6);
    // Logistic: C sum(loss) + 1/2 |w|^2 is sum(loss) + lambda/2 |w|^2 with lambda = 1/C, times C.
    const logistic = fitPenalisedLogistic(matrix, labels, 2, { l1Ratio: 0, tolerance: 1e-16 });
    const logisticNewton = fitLogistic(matrix, labels, 0.5);
    logistic.weights.forEach((weight, feature) => expect(Math.abs(weight - (logisticNewton.weights[feature] as number))).toBeLessThan(1e-6));
    for (const fit of [ridge, logistic]) {
      expect(fit.converged).toBe(true);
      expect(fit.weights[2]).toBe(0);
      expect(fit.weights[3]).toBe(0);
      expect(Number.isFinite(fit.objective)).toBe(true);
    }
  });

  it('reports a fit that ran out of iterations as not converged', () => {
    const { matrix, y } = randomMatrix(200);
    const fit = fitElasticNet(matrix, y, 0.01, { l1Ratio: 0.5, tolerance: 1e-16, maxIterations: 1 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(1);
  });

  it('gives all-zero weights when the L1 penalty exceeds every correlation', () => {
    const { matrix, y } = randomMatrix(200);
    const fit = fitElasticNet(matrix, y, 100, { l1Ratio: 1 });
    expect(Array.from(fit.weights).every((weight) => weight === 0)).toBe(true);
    expect(fit.intercept).toBeCloseTo(y.reduce((sum, value) => sum + value, 0) / 200, 12);
  });
});

/** A random problem: dense numbers, some columns scaled up, one 4-level category. */
function randomProblem(seed: number, rows: number, denseWidth: number): { matrix: FeatureMatrix; y: Float64Array; labels: Float64Array; weights: Float64Array } {
  const random = seededRandom(seed);
  const dense = Float64Array.from({ length: rows * denseWidth }, (_, index) => (random() - 0.5) * (1 + (index % denseWidth)));
  const active = Int32Array.from({ length: rows }, () => denseWidth + Math.floor(random() * 4));
  const y = Float64Array.from({ length: rows }, (_, row) => (dense[row * denseWidth] as number) + ((active[row] as number) - denseWidth) * 0.3 + random() - 0.5);
  const labels = y.map((value) => (value + random() - 0.5 > 0 ? 1 : 0));
  const weights = Float64Array.from({ length: rows }, () => 0.2 + random());
  return { matrix: { rows, dense, denseWidth, active, activeWidth: 1, features: denseWidth + 4 }, y, labels, weights };
}

/**
 * The Karush-Kuhn-Tucker conditions of the objective at a fit, given the smooth part's gradient in the
 * scores (per row): the intercept's gradient is 0; g_j + l2 w_j + l1 sign(w_j) = 0 where w_j != 0, and
 * |g_j + l2 w_j| <= l1 where w_j = 0. Returns the largest violation.
 */
function kktViolation(matrix: FeatureMatrix, fit: PenalisedFit, rowGradient: (score: number, row: number) => number, l1: number, l2: number): number {
  const view = columnView(matrix);
  const scores = viewScores(view, fit.weights, fit.intercept);
  const perRow = Float64Array.from(scores, (score, row) => rowGradient(score, row));
  let worst = Math.abs(perRow.reduce((sum, value) => sum + value, 0));
  const { rows, denseWidth } = view;
  for (let feature = 0; feature < view.features; feature++) {
    let gradient = 0;
    if (feature < denseWidth) for (let row = 0; row < rows; row++) gradient += (perRow[row] as number) * (view.dense[feature * rows + row] as number);
    else for (let k = view.slotStart[feature - denseWidth] as number; k < (view.slotStart[feature - denseWidth + 1] as number); k++) gradient += perRow[view.slotRows[k] as number] as number;
    const weight = fit.weights[feature] as number;
    gradient += l2 * weight;
    worst = Math.max(worst, weight === 0 ? Math.max(0, Math.abs(gradient) - l1) : Math.abs(gradient + l1 * Math.sign(weight)));
  }
  return worst;
}

describe('optimality of the fits (property)', () => {
  const problems = fc.record({ seed: fc.nat(), rows: fc.integer({ min: 10, max: 80 }), width: fc.integer({ min: 1, max: 5 }), strength: fc.double({ min: 1e-3, max: 1, noNaN: true }), l1Ratio: fc.constantFrom(0, 0.3, 1), weighted: fc.boolean() });

  it('meets the optimality conditions of the linear objective', () => {
    fc.assert(
      fc.property(problems, ({ seed, rows, width, strength, l1Ratio, weighted }) => {
        const { matrix, y, weights } = randomProblem(seed, rows, width);
        const s = weighted ? weights : new Float64Array(rows).fill(1);
        const total = s.reduce((sum, value) => sum + value, 0);
        const fit = fitElasticNet(matrix, y, strength, { l1Ratio, tolerance: 1e-15 }, weighted ? weights : undefined);
        const violation = kktViolation(matrix, fit, (score, row) => ((s[row] as number) * (score - (y[row] as number))) / total, strength * l1Ratio, strength * (1 - l1Ratio));
        return fit.converged && violation < 1e-6;
      }),
      { numRuns: 60 },
    );
  });

  it('meets the optimality conditions of the logistic objective', () => {
    fc.assert(
      fc.property(problems, ({ seed, rows, width, strength, l1Ratio, weighted }) => {
        const { matrix, labels, weights } = randomProblem(seed, rows, width);
        // With one class the optimum is at infinity (the trainer refuses such labels).
        fc.pre(labels.includes(0) && labels.includes(1));
        const s = weighted ? weights : new Float64Array(rows).fill(1);
        const C = 10 * strength;
        const fit = fitPenalisedLogistic(matrix, labels, C, { l1Ratio, tolerance: 1e-15 }, weighted ? weights : undefined);
        const violation = kktViolation(matrix, fit, (score, row) => C * (s[row] as number) * (1 / (1 + Math.exp(-score)) - (labels[row] as number)), l1Ratio, 1 - l1Ratio);
        return fit.converged && violation < 1e-6 * Math.max(1, C * rows);
      }),
      { numRuns: 60 },
    );
  });
});
