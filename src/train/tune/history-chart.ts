/**
 * The optimisation-history chart of a study (Optuna's `plot_optimization_history`): each complete trial's
 * value as a point, the best value so far as a step line. Written as a Vega-Lite spec (JSON, for the UI
 * and other tools) and as a small self-contained HTML page with the chart rendered to inline SVG.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../report/svg-chart.js';
import { escapeHtml, page } from '../../report/html-page.js';
import type { HistoryPoint } from '../../optimizer/optimization-history.js';
import type { Direction } from '../../optimizer/trial.js';

/** The Vega-Lite spec of the history. */
export function optimizationHistorySpec(points: readonly HistoryPoint[], direction: Direction, title: string): TopLevelSpec {
  const values = points.flatMap((point) => [
    { trial: point.trial, value: point.value, series: 'objective value' },
    { trial: point.trial, value: point.best, series: direction === 'minimize' ? 'best so far (lowest)' : 'best so far (highest)' },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 300,
    data: { values },
    encoding: {
      x: { field: 'trial', type: 'quantitative', title: 'trial' },
      y: { field: 'value', type: 'quantitative', title: 'objective value', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#2563eb', '#dc2626'] } },
    },
    layer: [
      { mark: { type: 'point', filled: true, size: 30 }, transform: [{ filter: "datum.series === 'objective value'" }] },
      { mark: { type: 'line', interpolate: 'step-after' }, transform: [{ filter: "datum.series !== 'objective value'" }] },
    ],
  } as TopLevelSpec;
}

/** A self-contained HTML page showing the chart, in the reports' page style. */
export async function optimizationHistoryHtml(spec: TopLevelSpec, title: string): Promise<string> {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n${await renderSvg(spec)}`);
}
