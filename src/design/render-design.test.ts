import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stats/random.js';
import type { DesignDocument, LearningCurveEvidence } from './design-document.js';
import { fitLearningCurve, type LearningCurvePoint } from './learning-curve.js';
import { designHtml, designMarkdown, learningCurveChart, meanBySize } from './render-design.js';

/** Points from metric = 0.8 - 2 n^-0.5 (or its mirror, 0.2 + 2 n^-0.5, for a loss), with small noise. */
function curve(higherIsBetter: boolean): LearningCurveEvidence {
  const random = seededRandom(5);
  const points: LearningCurvePoint[] = [];
  for (const rows of [500, 1000, 2000, 4000, 7000, 10_000]) {
    for (let seed = 0; seed < 3; seed += 1) {
      const gain = 2 * rows ** -0.5 + 0.002 * (random() - 0.5);
      points.push({ rows, value: higherIsBetter ? 0.8 - gain : 0.2 + gain });
    }
  }
  const fit = fitLearningCurve(points, { higherIsBetter });
  return { metric: higherIsBetter ? 'roc_auc' : 'log_loss', higherIsBetter, target: higherIsBetter ? 0.79 : 0.21, pipeline: 'p.yaml', learner: 'gbdt', datasets: { training: 't@1', validation: 'v@1' }, trainingRows: 10_000, measuredRows: 10_000, validationRows: 100, fractions: [], seeds: [1, 2, 3], points, fit, verdicts: [] };
}

type Layer = { data: { values: { rows: number; value: number }[] }; mark: { type: string; strokeDash?: number[] } };

describe('learningCurveChart', () => {
  for (const higherIsBetter of [true, false]) {
    it(`draws the fitted law through its own extrapolations (${higherIsBetter ? 'higher' : 'lower'} is better)`, () => {
      const evidence = curve(higherIsBetter);
      if (!('extrapolations' in evidence.fit)) throw new Error('the fit failed');
      const chart = learningCurveChart(evidence) as { layer: Layer[] };
      const law = chart.layer.find((layer) => layer.mark.type === 'line' && layer.mark.strokeDash !== undefined)?.data.values ?? [];
      expect(law.length).toBeGreaterThan(10);
      // The law's last point is at 10x the measured rows: the 10x extrapolation, to rounding of the rows.
      const last = law[law.length - 1];
      const ten = evidence.fit.extrapolations.find((entry) => entry.multiple === 10);
      expect(last?.rows).toBeCloseTo(ten?.rows ?? NaN, 6);
      expect(last?.value).toBeCloseTo(ten?.metric.estimate ?? NaN, 6);
      // And it passes near the measured means (noise 0.001).
      for (const { rows, mean } of meanBySize(evidence)) {
        const nearest = law.reduce((best, point) => (Math.abs(Math.log(point.rows / rows)) < Math.abs(Math.log(best.rows / rows)) ? point : best));
        expect(Math.abs(nearest.value - mean)).toBeLessThan(0.01);
      }
    });
  }
});

describe('designMarkdown and designHtml', () => {
  const design: DesignDocument = {
    name: 'd',
    candidates: [
      { name: 'trees', approach: 'gbdt', metric: 'roc_auc', pipeline: 'p.yaml', developerDays: 1, dataScientistDays: 2, risks: [], runs: [], feasibility: { learningCurve: curve(true) } },
      // Evidence brought in by a design file, not computed here: fields missing or of the wrong kind.
      { name: 'odd', approach: 'x', metric: 'roc_auc', pipeline: 'p.yaml', developerDays: 1, dataScientistDays: 1, risks: [], runs: [], feasibility: { learningCurve: { points: 'none', fit: null } as unknown as LearningCurveEvidence, computeCost: { projections: [null] } as never, testSize: { metric: 'm', baseline: null } as never } },
      { name: 'odder', approach: 'x', metric: 'roc_auc', pipeline: 'p.yaml', developerDays: 1, dataScientistDays: 1, risks: [], runs: [], feasibility: { learningCurve: 'measured by hand' as never, testSize: 7 as never } },
    ],
    decision: { candidate: 'trees', reason: 'better', decidedBy: 'ana', decidedAt: '2026-01-01T00:00:00.000Z' },
  };

  it('shows means per size, extrapolations and the decision; odd evidence shows as dashes', async () => {
    const markdown = designMarkdown(design, 3);
    expect(markdown).toContain('# Design d (version 3)');
    expect(markdown).toContain('## trees (chosen)');
    expect(markdown).toMatch(/\| 10,000 \| 0\.7\d+ \| 3 \|/);
    expect(markdown).toMatch(/\| 100,000 \| 10x \| 0\.79\d* \[/);
    expect(markdown).toContain('## odd');
    expect(markdown).toContain('decided: trees by ana');
    const html = await designHtml(design, 3);
    expect(html.match(/<svg/g)).toHaveLength(1);
    expect(html).not.toContain('<script');
  });
});
