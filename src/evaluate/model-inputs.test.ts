import { describe, expect, it } from 'vitest';
import { modelUriOf } from './model-inputs.js';

describe('modelUriOf', () => {
  it('turns every way of naming a model version into a models:/ URI', () => {
    expect(modelUriOf('delay')).toBe('models:/delay/latest');
    expect(modelUriOf('delay@champion')).toBe('models:/delay@champion');
    expect(modelUriOf('delay@2')).toBe('models:/delay/2');
    // A rollout plan's `candidate: delay/2` made the rollback's owner alert fail after the state had changed.
    expect(modelUriOf('delay/2')).toBe('models:/delay/2');
    expect(modelUriOf('models:/delay/3')).toBe('models:/delay/3');
  });
});
