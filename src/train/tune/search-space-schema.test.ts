import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../error.js';
import { checkSearchSpaceText } from './search-space-schema.js';

const VALID = `parameters:
  learningRate: { type: float, low: 0.001, high: 0.3, log: true }
  numLeaves: { type: int, low: 8, high: 256, log: true }
  minDataInLeaf: { type: int, low: 5, high: 100, step: 5 }
  booster: { type: categorical, choices: [gbdt, dart] }
  dropRate: { type: float, low: 0.05, high: 0.5, when: { booster: dart } }
`;

describe('checkSearchSpaceText', () => {
  it('reads every kind of parameter, with defaults and a condition', () => {
    const result = checkSearchSpaceText(VALID, 'space.yaml');
    expect(result.issues).toEqual([]);
    expect(result.value).toEqual({
      learningRate: { type: 'float', low: 0.001, high: 0.3, log: true },
      numLeaves: { type: 'int', low: 8, high: 256, log: true, step: 1 },
      minDataInLeaf: { type: 'int', low: 5, high: 100, log: false, step: 5 },
      booster: { type: 'categorical', choices: ['gbdt', 'dart'] },
      dropRate: { type: 'float', low: 0.05, high: 0.5, log: false, condition: { parent: 'booster', values: ['dart'] } },
    });
  });

  it('reads JSON too', () => {
    const result = checkSearchSpaceText('{"parameters": {"x": {"type": "float", "low": -1, "high": 1}}}', 'space.json');
    expect(result.value).toEqual({ x: { type: 'float', low: -1, high: 1, log: false } });
  });

  it('reports every problem at once as file:line: field path: message', () => {
    const text = `parameters:
  lr: { type: float, low: 0, high: 0.3, log: true }
  depth: { type: int, low: 10, high: 2 }
  leaves: { type: int, low: 2, high: 9, step: 2 }
  booster: { type: categorical, choices: [gbdt, dart] }
  rate: { type: float, low: 0, high: 1, when: { booster: [goss] } }
  other: { type: flaot, low: 0, high: 1 }
  early: { type: float, low: 0, high: 1, when: { later: [a] } }
  later: { type: categorical, choices: [a], colour: red }
`;
    const result = checkSearchSpaceText(text, 'space.yaml');
    expect(result.value).toBeUndefined();
    expect(result.issues.map(formatIssue)).toEqual([
      'space.yaml:7: parameters.other.type: expected one of float, int, categorical',
      'space.yaml:9: parameters.later.colour: unknown field',
    ]);
    const shapeFixed = text.replace('flaot', 'float').replace(', colour: red', '');
    expect(checkSearchSpaceText(shapeFixed, 'space.yaml').issues.map(formatIssue)).toEqual([
      'space.yaml:2: parameters.lr.low: must be above 0 when log is true',
      'space.yaml:3: parameters.depth.high: must be at least low (10)',
      'space.yaml:4: parameters.leaves.high: must be low plus a whole number of steps (2)',
      "space.yaml:6: parameters.rate.when.booster: \"goss\" is not one of booster's choices",
      'space.yaml:8: parameters.early.when.later: later must be a parameter declared above this one',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const result = checkSearchSpaceText('parameters:\n  x: { type: float\n', 'space.yaml');
    expect(result.issues[0]).toMatchObject({ file: 'space.yaml', line: expect.any(Number), path: '' });
    expect(result.issues[0]?.message).toMatch(/^YAML: /);
  });
});
