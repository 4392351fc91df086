import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../stats/random.js';
import { evaluatePredictions } from '../evaluate-predictions.js';
import { renderEvaluationReport } from './render-evaluation.js';

describe('the evaluation report', () => {
  it('renders every section with inline SVG charts and no script', async () => {
    const random = seededRandom(2);
    const labels = Float64Array.from({ length: 300 }, () => (random() < 0.4 ? 1 : 0));
    const scores = labels.map((label) => Math.min(1, 0.3 * label + 0.7 * random()));
    const evaluation = evaluatePredictions({
      rows: { task: 'binary', labels },
      models: [
        { name: 'models:/m/2', role: 'candidate', predictions: scores },
        { name: 'models:/m/1', role: 'champion', predictions: labels.map(() => random()) },
      ],
      segments: { region: Array.from({ length: 300 }, (_, row) => (row % 2 === 0 ? 'east' : '<west>')) },
      targets: [{ metric: 'roc_auc', target: 0.6 }],
      bootstrap: { resamples: 50 },
    });
    const html = await renderEvaluationReport(evaluation, { dataset: 'flights@2', createdAt: '2026-11-26T00:00:00Z' });
    for (const heading of ['Verdict', 'Metrics', 'Champion and challenger', 'Charts', 'Slices']) expect(html).toContain(`<h2>${heading}</h2>`);
    expect((html.match(/<svg/g) ?? []).length).toBe(7);
    expect(html).toContain('&lt;west&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain("DeLong's test");
  });
});
