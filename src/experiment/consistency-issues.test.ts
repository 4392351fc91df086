import { describe, expect, it } from 'vitest';
import { MlcycleError } from '../error.js';
import { analyzeExperiment } from './analyze-experiment.js';
import { parseAnalysisInput } from './parse-analysis-input.js';

const ARMS = '[{"id":"control","weight":1,"units":1000},{"id":"b","weight":1,"units":1000}]';

function problems(metric: string, arms = ARMS): string[] {
  try {
    parseAnalysisInput(`{"name":"x","arms":${arms},"metrics":[${metric}]}`, 'in.json');
  } catch (error) {
    if (error instanceof MlcycleError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('statistics no data could produce are refused with their path (issue 16)', () => {
  it('refuses successes above n, in an arm and in a segment, and a segment larger than its arm', () => {
    expect(problems('{"id":"c","kind":"proportion","arms":{"control":{"n":1000,"successes":5000},"b":{"n":1000,"successes":10}}}')).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.successes: 5000 successes out of 1000/),
    ]);
    const segment = problems('{"id":"c","kind":"proportion","arms":{"control":{"n":100,"successes":5},"b":{"n":100,"successes":5}},"segments":{"EU":{"control":{"n":200,"successes":300},"b":{"n":10,"successes":1}}}}');
    expect(segment.join('\n')).toMatch(/segments\.EU\.control\.successes: 300 successes out of 200/);
    expect(segment.join('\n')).toMatch(/segments\.EU\.control\.n: the segment has 200 units, more than the arm's 100/);
  });

  it('refuses a negative variance, an overflowing sum, a metric n above the arm units', () => {
    expect(problems('{"id":"m","kind":"mean","arms":{"control":{"n":10,"sum":100,"sumSquares":900},"b":{"n":10,"sum":1,"sumSquares":1}}}')).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.sumSquares: 900 is below sum\^2 \/ n = 1000/),
    ]);
    expect(problems('{"id":"m","kind":"mean","arms":{"control":{"n":10,"sum":1e200,"sumSquares":1e300},"b":{"n":10,"sum":1,"sumSquares":1}}}')).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.sum: sum\^2 overflows/),
    ]);
    expect(problems('{"id":"m","kind":"mean","arms":{"control":{"n":2000,"sum":1,"sumSquares":1},"b":{"n":10,"sum":1,"sumSquares":1}}}')).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.n: 2000 units measured but arms\[\]\.units gives 1000/),
    ]);
  });

  it('refuses a ratio negative sum of squares, a Cauchy-Schwarz violation and a quantile band upside down', () => {
    const ratio = (control: string) => `{"id":"r","kind":"ratio","arms":{"control":${control},"b":{"n":10,"numeratorSum":5,"numeratorSumSquares":5,"denominatorSum":10,"denominatorSumSquares":10,"numeratorDenominatorSum":5}}}`;
    expect(problems(ratio('{"n":10,"numeratorSum":5,"numeratorSumSquares":-5,"denominatorSum":10,"denominatorSumSquares":10,"numeratorDenominatorSum":5}'))).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.numeratorSumSquares: -5 is negative/),
    ]);
    expect(problems(ratio('{"n":10,"numeratorSum":5,"numeratorSumSquares":5,"denominatorSum":10,"denominatorSumSquares":20,"numeratorDenominatorSum":50}'))).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.numeratorDenominatorSum: 50 is impossible/),
    ]);
    expect(problems('{"id":"q","kind":"quantile","quantile":0.9,"arms":{"control":{"n":10,"estimate":5,"lower":9,"upper":1},"b":{"n":10,"estimate":5,"lower":1,"upper":9}}}')).toEqual([
      expect.stringMatching(/^metrics\[0\]\.arms\.control\.lower: the band's lower end 9 is above its upper end 1/),
    ]);
  });

  it('reads arm ids such as __proto__ and constructor as plain ids', () => {
    const arms = '[{"id":"__proto__","weight":1,"units":1000},{"id":"constructor","weight":1,"units":1000}]';
    const text = `{"name":"x","arms":${arms},"metrics":[{"id":"c","kind":"proportion","arms":{"__proto__":{"n":1000,"successes":100},"constructor":{"n":1000,"successes":120}}}]}`;
    const analysis = analyzeExperiment(parseAnalysisInput(text, 'in.json'));
    const [comparison] = analysis.metrics[0]?.comparisons ?? [];
    expect(comparison).toMatchObject({ arm: 'constructor', controlEstimate: 0.1, treatmentEstimate: 0.12 });
    expect(problems('{"id":"c","kind":"proportion","arms":{"__proto__":{"n":10,"successes":1}}}', arms)).toEqual([expect.stringMatching(/missing arm "constructor"/)]);
  });
});
