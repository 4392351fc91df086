import { describe, expect, it } from 'vitest';
import { inferSignature, resolveInputs, type InputColumns } from '../input-signature.js';
import { featureNames, fitPipeline, OTHER_SLOT, transformInputs } from './feature-pipeline.js';

const TRAINING: InputColumns = {
  size: [1, 2, null, 5],
  flat: [7, 7, 7, 7],
  colour: ['red', 'blue', null, 'red'],
};

function fitted(input: InputColumns, label: number[], encodings: Record<string, 'one-hot' | 'target'> = {}) {
  const signature = inferSignature(input, [{ name: 'size' }, { name: 'flat' }, { name: 'colour' }].filter(({ name }) => name in input));
  return { signature, ...fitPipeline(signature, resolveInputs(signature, input), label, { encodings, targetSmoothing: 2 }) };
}

describe('the feature pipeline', () => {
  it('imputes the training mean and standardises with the population deviation of the imputed column', () => {
    const { pipeline, matrix } = fitted(TRAINING, [0, 1, 0, 1]);
    const mean = 8 / 3;
    const scale = Math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (5 - mean) ** 2) / 4);
    expect(pipeline.steps[0]).toEqual({ kind: 'standardise', name: 'size', mean, scale });
    // A constant column keeps scale 1 and becomes zeros, as scikit-learn's StandardScaler does.
    expect(pipeline.steps[1]).toEqual({ kind: 'standardise', name: 'flat', mean: 7, scale: 1 });
    expect(Array.from(matrix.dense)).toEqual([(1 - mean) / scale, 0, (2 - mean) / scale, 0, 0, 0, (5 - mean) / scale, 0]);
    expect(featureNames(pipeline)).toEqual(['size', 'flat', 'colour=blue', 'colour=red', `colour=${OTHER_SLOT}`]);
    // red, blue, missing, red: slots 2 + [1, 0, 2, 1].
    expect(Array.from(matrix.active)).toEqual([3, 2, 4, 3]);
  });

  it('sends unseen and missing categories at prediction to the shared slot, and transforms training rows as at fitting', () => {
    const { pipeline, signature, matrix } = fitted(TRAINING, [0, 1, 0, 1]);
    expect(transformInputs(pipeline, signature, resolveInputs(signature, TRAINING))).toEqual(matrix);
    const later = transformInputs(pipeline, signature, resolveInputs(signature, { size: [null], flat: [9], colour: ['green'] }));
    expect(Array.from(later.active)).toEqual([4]);
    expect(Array.from(later.dense)).toEqual([0, (9 - 7) / 1]);
  });

  it('target-encodes out of fold at training and with all rows at prediction', () => {
    // Category "solo" has one row: out of fold it cannot see its own label.
    const input = { colour: [...Array.from({ length: 20 }, (_, row) => (row % 2 === 0 ? 'red' : 'blue')), 'solo'] };
    const label = [...Array.from({ length: 20 }, (_, row) => (row % 2 === 0 ? 1 : 0)), 1];
    const { pipeline, signature, matrix } = fitted(input, label, { colour: 'target' });
    const step = pipeline.steps[0];
    if (step?.kind !== 'target') throw new Error('expected a target step');
    const prior = 11 / 21;
    expect(step.prior).toBeCloseTo(prior, 15);
    expect(step.values.red).toBeCloseTo((10 + 2 * prior) / 12, 15);
    expect(step.values.solo).toBeCloseTo((1 + 2 * prior) / 3, 15);
    // The solo row's training value does not depend on its own label: it is the prior of the other folds.
    const flipped = fitted(input, [...label.slice(0, 20), 0], { colour: 'target' });
    const flippedStep = flipped.pipeline.steps[0];
    if (flippedStep?.kind !== 'target') throw new Error('expected a target step');
    const soloTraining = (matrix.dense[20] as number) * step.scale + step.mean;
    expect((flipped.matrix.dense[20] as number) * flippedStep.scale + flippedStep.mean).toBeCloseTo(soloTraining, 12);
    expect(flippedStep.values.solo).not.toBeCloseTo(step.values.solo as number, 3);
    const later = transformInputs(pipeline, signature, resolveInputs(signature, { colour: ['solo', 'never seen', null] }));
    expect(Array.from(later.dense, (value) => value * step.scale + step.mean).map((value) => Number(value.toFixed(12)))).toEqual(
      [step.values.solo as number, prior, prior].map((value) => Number(value.toFixed(12))),
    );
  });

  it('draws the same folds for the same seed', () => {
    const input = { colour: Array.from({ length: 50 }, (_, row) => `c${row % 7}`) };
    const label = Array.from({ length: 50 }, (_, row) => (row * 7) % 3);
    expect(fitted(input, label, { colour: 'target' }).matrix).toEqual(fitted(input, label, { colour: 'target' }).matrix);
  });
});
