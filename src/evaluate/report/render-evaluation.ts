/**
 * The evaluation report: one self-contained HTML page in the exploration report's style (inline CSS,
 * charts as inline SVG from Vega-Lite). Sections: verdict, metrics of every model with intervals, the
 * champion comparison, charts, slices.
 */
import { renderSvg } from '../../report/svg-chart.js';
import { escapeHtml, formatNumber, page } from '../../report/html-page.js';
import type { MetricEstimate } from '../bootstrap-metrics.js';
import type { Evaluation } from '../evaluate-predictions.js';
import { describeBusinessValue } from '../evaluation-value.js';
import { evaluationChartSpecs } from './evaluation-charts.js';

/** Where the evaluation came from, for the page's heading. */
export interface ReportContext {
  dataset: string;
  createdAt: string;
}

function interval(estimate: MetricEstimate | undefined): string {
  if (estimate === undefined) return '-';
  return `${formatNumber(estimate.estimate)} <span class="muted">[${formatNumber(estimate.lower)}, ${formatNumber(estimate.upper)}]</span>`;
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  return `<table><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>${body.map((row) => `<tr>${row.map((cell) => `<td class="num">${cell}</td>`).join('')}</tr>`).join('')}</table>`;
}

function verdictSection(evaluation: Evaluation): string {
  const { verdict } = evaluation;
  const style = verdict.ready ? '' : ' style="background:#fef2f2;border-color:#fecaca"';
  const checks = table(['check', 'result', 'detail'], verdict.checks.map((check) => [escapeHtml(check.check), check.passed ? 'pass' : '<b>fail</b>', escapeHtml(check.detail)]));
  const warnings = verdict.warnings.map((warning) => `<div class="alert">${escapeHtml(warning)}</div>`).join('');
  return `<div class="verdict"${style}>${escapeHtml(verdict.summary)}</div>${checks}${warnings}`;
}

function metricsSection(evaluation: Evaluation): string {
  const names = Object.keys(evaluation.models[0]?.metrics ?? {});
  return table(['metric', ...evaluation.models.map((model) => `${model.name} (${model.role})`)], names.map((name) => [escapeHtml(name), ...evaluation.models.map((model) => interval(model.metrics[name]))]));
}

function comparisonSection(evaluation: Evaluation): string {
  const comparison = evaluation.comparison;
  if (comparison === undefined) return '<p class="muted">no champion given (--compare MODEL@champion)</p>';
  const rows = Object.entries(comparison.differences).map(([name, difference]) => [escapeHtml(name), formatNumber(difference.champion), formatNumber(difference.challenger), interval(difference)]);
  const delong = comparison.delong;
  const delongLine =
    delong === undefined ? '' : delong.degenerate !== undefined ? `<p class="muted">DeLong: ${escapeHtml(delong.degenerate)}</p>` : `<p>DeLong's test on ROC AUC: difference ${formatNumber(delong.difference)} [${formatNumber(delong.lower)}, ${formatNumber(delong.upper)}], z ${formatNumber(delong.z)}, p ${formatNumber(delong.pValue)}</p>`;
  return `<p class="muted">${escapeHtml(comparison.challenger)} minus ${escapeHtml(comparison.champion)} on the same rows, paired bootstrap</p>${table(['metric', 'champion', 'challenger', 'difference [interval]'], rows)}${delongLine}`;
}

function slicesSection(evaluation: Evaluation): string {
  if (evaluation.slices.length === 0) return '<p class="muted">no segments: name them under segments in mlcycle.yaml, or pass --by COLUMN</p>';
  const metric = evaluation.primaryMetric;
  return evaluation.slices
    .map((column) => {
      const rows = column.segments.map((segment) => {
        const flag = (worse: boolean | undefined) => (worse === true ? ' <b style="color:#dc2626">worse</b>' : '');
        return [
          escapeHtml(segment.value),
          formatNumber(segment.rows),
          interval(segment.metrics[metric]),
          `${formatNumber(segment.versusOverall.difference)} (p ${formatNumber(segment.versusOverall.adjustedPValue)})${flag(segment.versusOverall.worse)}`,
          segment.versusChampion === undefined ? '-' : `${formatNumber(segment.versusChampion.difference)} (p ${formatNumber(segment.versusChampion.adjustedPValue)})${flag(segment.versusChampion.worse)}`,
        ];
      });
      const small = column.tooSmall.length === 0 ? '' : `<p class="muted">too few rows (or one class only): ${column.tooSmall.map((segment) => `${escapeHtml(segment.value)} (${segment.rows})`).join(', ')}</p>`;
      return `<h3>${escapeHtml(column.column)}</h3>${table(['segment', 'rows', metric, 'vs overall (Holm p)', 'vs champion (Holm p)'], rows)}${small}`;
    })
    .join('\n');
}

function valueSection(evaluation: Evaluation): string {
  if (evaluation.businessValue === undefined) return '<p class="muted">the spec has no valueModel</p>';
  const lines = evaluation.businessValue.map((value) => `<li>${escapeHtml(describeBusinessValue(value))}</li>`).join('');
  return `<p class="muted">expected value per decision under the spec's value model; the best threshold is chosen on these rows, so its value is optimistic</p><ul>${lines}</ul>`;
}

/** The whole report page. */
export async function renderEvaluationReport(evaluation: Evaluation, context: ReportContext): Promise<string> {
  const candidate = evaluation.models.find((model) => model.role === 'candidate');
  const charts = await Promise.all(Object.values(evaluationChartSpecs(evaluation.models, evaluation.businessValue)).map((spec) => renderSvg(spec)));
  const body = [
    `<h1>${escapeHtml(candidate?.name ?? 'model')} on ${escapeHtml(context.dataset)}</h1>`,
    `<p class="muted">mlcycle evaluation, ${escapeHtml(context.createdAt)}; ${formatNumber(evaluation.rows)} rows; ${escapeHtml(evaluation.bootstrap.method)}, level ${evaluation.bootstrap.level}</p>`,
    '<h2>Verdict</h2>',
    verdictSection(evaluation),
    '<h2>Metrics</h2>',
    metricsSection(evaluation),
    '<h2>Champion and challenger</h2>',
    comparisonSection(evaluation),
    '<h2>Business value</h2>',
    valueSection(evaluation),
    '<h2>Charts</h2>',
    `<div class="cards" style="grid-template-columns:repeat(auto-fill,minmax(320px,1fr))">${charts.map((svg) => `<div class="card">${svg}</div>`).join('')}</div>`,
    `<h2>Slices</h2><p class="muted">${escapeHtml(evaluation.primaryMetric)} per segment; flags are one-sided bootstrap tests at alpha ${evaluation.alpha}, Holm-adjusted over all segments</p>`,
    slicesSection(evaluation),
  ];
  return page(`${candidate?.name ?? 'model'}: evaluation`, body.join('\n'));
}
