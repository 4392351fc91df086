/**
 * A design as Markdown (`mlcycle design show`) and as one offline HTML page (`design show --out`), each
 * candidate with its feasibility evidence: the learning curve (measured means, the fitted law, the
 * extrapolations with their intervals and whether they reach the target), the compute cost projected to
 * the full data and to 10x, and the online test's size. Evidence a design file brought in (not computed
 * by `design feasibility`) may lack fields: every field is read defensively and shown as '-' when absent.
 */
import { escapeHtml, formatNumber, page } from '../report/html-page.js';
import { renderSvg } from '../report/svg-chart.js';
import type { DesignCandidate, DesignDocument, FeasibilityEvidence, LearningCurveEvidence } from './design-document.js';
import type { LearningCurveFit } from './learning-curve.js';
import type { OnlineTestEvidence } from './online-test-size.js';

const MIB = 2 ** 20;

/** A mapping (not null, not a list): evidence from a design file is checked with this before it is read. */
function isRecord<T>(value: T | undefined | null): value is T {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Mean of the metric at each measured size, in size order. */
export function meanBySize(curve: Pick<LearningCurveEvidence, 'points'>): { rows: number; mean: number; count: number }[] {
  const groups = new Map<number, number[]>();
  for (const point of Array.isArray(curve.points) ? curve.points : []) {
    if (typeof point?.rows !== 'number' || typeof point.value !== 'number') continue;
    groups.set(point.rows, [...(groups.get(point.rows) ?? []), point.value]);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([rows, values]) => ({ rows, mean: values.reduce((sum, value) => sum + value, 0) / values.length, count: values.length }));
}

function number(value: unknown): string {
  return typeof value === 'number' ? formatNumber(value) : '-';
}

function interval(value: { estimate?: unknown; lower?: unknown; upper?: unknown } | undefined): string {
  if (value === undefined) return '-';
  return `${number(value.estimate)} [${number(value.lower)}, ${number(value.upper)}]`;
}

interface EvidenceTables {
  facts: [string, string][];
  curve: string[][];
  extrapolations: string[][];
  cost: string[][];
  warnings: string[];
}

/** The evidence as rows of text, shared by the Markdown and the HTML. */
function evidenceTables(evidence: FeasibilityEvidence): EvidenceTables {
  const tables: EvidenceTables = { facts: [], curve: [], extrapolations: [], cost: [], warnings: [] };
  const curve = isRecord(evidence.learningCurve) ? evidence.learningCurve : undefined;
  if (curve !== undefined) {
    tables.facts.push(['learning curve', `${curve.metric ?? '-'} of ${curve.learner ?? '?'} (${curve.pipeline ?? '?'}), trained on ${curve.datasets?.training ?? '?'} and scored on ${number(curve.validationRows)} rows of ${curve.datasets?.validation ?? '?'}`]);
    tables.facts.push(['data', `${number(curve.measuredRows)} of ${number(curve.trainingRows)} training rows measured, ${Array.isArray(curve.seeds) ? curve.seeds.length : '?'} seeds per size`]);
    if (curve.target !== undefined) tables.facts.push(['target', number(curve.target)]);
    tables.curve = [['rows', `mean ${curve.metric ?? 'metric'}`, 'seeds'], ...meanBySize(curve).map((entry) => [formatNumber(entry.rows), formatNumber(entry.mean), String(entry.count)])];
    const fit = isRecord(curve.fit) && 'asymptote' in curve.fit ? (curve.fit as LearningCurveFit) : undefined;
    if (fit !== undefined && isRecord(fit.asymptote) && isRecord(fit.exponent)) {
      tables.facts.push(['fitted law', `metric = a - b n^-c: a ${interval(fit.asymptote)}, c ${interval(fit.exponent)}, residual ${number(fit.residualError)}`]);
      tables.extrapolations = [
        ['rows', 'multiple', 'extrapolated', 'reaches target'],
        ...(Array.isArray(fit.extrapolations) ? fit.extrapolations : []).map((entry) => [
          number(entry?.rows),
          `${number(entry?.multiple)}x`,
          isRecord(entry) ? interval(entry.metric) : '-',
          (Array.isArray(curve.verdicts) ? curve.verdicts : []).find((verdict) => verdict?.multiple === entry?.multiple)?.reaches ?? '-',
        ]),
      ];
    }
    if (isRecord(curve.fit) && Array.isArray(curve.fit.warnings)) tables.warnings.push(...curve.fit.warnings);
  }
  const cost = isRecord(evidence.computeCost) ? evidence.computeCost : undefined;
  if (cost !== undefined) {
    tables.facts.push(['compute cost', `time ~ rows^${number(cost.timeExponent)}, ${number(cost.secondsPerThousandRows)} s per 1,000 rows measured; memory ${number(cost.bytesPerRow)} bytes per row`]);
    if (Array.isArray(cost.warnings)) tables.warnings.push(...cost.warnings.filter((warning) => typeof warning === 'string'));
    tables.cost = [['rows', 'training seconds', 'peak MiB'], ...(Array.isArray(cost.projections) ? cost.projections : []).filter(isRecord).map((projection) => [number(projection.rows), number(projection.seconds), typeof projection.peakBytes === 'number' ? formatNumber(projection.peakBytes / MIB) : '-'])];
  }
  const size = isRecord(evidence.testSize) ? evidence.testSize : undefined;
  if (size !== undefined) {
    const online = 'metric' in size ? (size as OnlineTestEvidence) : undefined;
    const baseline = online !== undefined && isRecord(online.baseline) ? online.baseline : undefined;
    const metric = online === undefined || baseline === undefined ? '' : `${online.metric}, baseline ${baseline.kind === 'rate' ? `rate ${number(baseline.rate)}` : `mean ${number(baseline.mean)} (sd ${number(baseline.standardDeviation)})`} (${online.baselineSource}); `;
    tables.facts.push([
      'online test',
      `${metric}effect size ${number(size.effectSize)}: fixed-horizon ${number(size.fixedHorizon?.controlUnits)} units per arm, ${number(size.fixedHorizon?.days)} days; sequential ${number(size.sequential?.controlUnits)} per arm, ${number(size.sequential?.days)} days`,
    ]);
  }
  return tables;
}

function markdownTable(rows: readonly (readonly string[])[]): string[] {
  const [head, ...body] = rows;
  if (head === undefined) return [];
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((row) => `| ${row.join(' | ')} |`)];
}

function candidateHeader(design: DesignDocument, candidate: DesignCandidate): [string, string][] {
  return [
    ['approach', candidate.approach],
    ['metric', `${candidate.metric}${candidate.target === undefined ? '' : `, target ${candidate.target}`}`],
    ['pipeline', candidate.pipeline],
    ['estimate', `${candidate.developerDays} developer-days, ${candidate.dataScientistDays} data-scientist-days`],
    ...(candidate.risks.length > 0 ? [['risks', candidate.risks.join('; ')] as [string, string]] : []),
    ...(candidate.runs.length > 0 ? [['runs', candidate.runs.join(', ')] as [string, string]] : []),
    ...(design.decision?.candidate === candidate.name ? [['decision', 'chosen'] as [string, string]] : []),
  ];
}

function decisionLine(design: DesignDocument): string {
  return design.decision === undefined ? 'not decided' : `decided: ${design.decision.candidate} by ${design.decision.decidedBy} at ${design.decision.decidedAt}: ${design.decision.reason}`;
}

/** The design as Markdown, evidence included. */
export function designMarkdown(design: DesignDocument, version: number): string {
  const lines = [`# Design ${design.name} (version ${version})`, ''];
  for (const candidate of design.candidates) {
    lines.push(`## ${candidate.name}${design.decision?.candidate === candidate.name ? ' (chosen)' : ''}`, '');
    for (const [name, value] of candidateHeader(design, candidate)) if (name !== 'decision') lines.push(`- ${name}: ${value}`);
    if (!isRecord(candidate.feasibility)) {
      lines.push('- feasibility evidence: none', '');
      continue;
    }
    const tables = evidenceTables(candidate.feasibility);
    for (const [name, value] of tables.facts) lines.push(`- ${name}: ${value}`);
    for (const warning of tables.warnings) lines.push(`- warning: ${warning}`);
    for (const table of [tables.curve, tables.extrapolations, tables.cost]) if (table.length > 0) lines.push('', ...markdownTable(table));
    lines.push('');
  }
  lines.push(decisionLine(design));
  return lines.join('\n');
}

/** The learning-curve chart: every seed's point, the means, the fitted law out to 10x, intervals at the extrapolations, the target. */
export function learningCurveChart(curve: LearningCurveEvidence): object | undefined {
  const points = (Array.isArray(curve.points) ? curve.points : []).filter((point) => typeof point?.rows === 'number' && typeof point.value === 'number');
  if (points.length === 0) return undefined;
  const fitted = isRecord(curve.fit) && 'asymptote' in curve.fit ? curve.fit : undefined;
  const fit = fitted !== undefined && [fitted.asymptote, fitted.scale, fitted.exponent].every((entry) => typeof entry?.estimate === 'number') && Array.isArray(fitted.extrapolations) && fitted.extrapolations.every((entry) => isRecord(entry) && isRecord(entry.metric)) ? fitted : undefined;
  const largest = Math.max(...points.map((point) => point.rows));
  const smallest = Math.min(...points.map((point) => point.rows));
  const sign = curve.higherIsBetter === false ? -1 : 1;
  const law: { rows: number; value: number }[] = [];
  if (fit !== undefined) {
    // The asymptote is in the metric's units; the scale is for rows in original units, on the oriented
    // metric (negated where lower is better): metric = a - sign b n^-c.
    const a = fit.asymptote.estimate;
    const b = fit.scale.estimate;
    const c = fit.exponent.estimate;
    const top = Math.max(largest, ...(Array.isArray(fit.extrapolations) ? fit.extrapolations.map((entry) => entry.rows) : []));
    for (let step = 0; step <= 60; step += 1) {
      const rows = smallest * (top / smallest) ** (step / 60);
      law.push({ rows, value: a - sign * b * rows ** -c });
    }
  }
  const extrapolations = fit === undefined ? [] : fit.extrapolations.map((entry) => ({ rows: entry.rows, value: entry.metric.estimate, lower: entry.metric.lower, upper: entry.metric.upper }));
  const x = { field: 'rows', type: 'quantitative', scale: { type: 'log' }, title: 'training rows' };
  const y = { field: 'value', type: 'quantitative', scale: { zero: false }, title: curve.metric };
  const layers: object[] = [
    { data: { values: points }, mark: { type: 'point', opacity: 0.5, color: '#6b7280' }, encoding: { x, y } },
    { data: { values: meanBySize(curve).map((entry) => ({ rows: entry.rows, value: entry.mean })) }, mark: { type: 'line', point: true, color: '#2563eb' }, encoding: { x, y } },
  ];
  if (law.length > 0) layers.push({ data: { values: law }, mark: { type: 'line', strokeDash: [4, 3], color: '#059669' }, encoding: { x, y } });
  if (extrapolations.length > 0) {
    layers.push({ data: { values: extrapolations }, mark: { type: 'rule', color: '#059669' }, encoding: { x, y: { field: 'lower', type: 'quantitative', title: curve.metric }, y2: { field: 'upper' } } });
    layers.push({ data: { values: extrapolations }, mark: { type: 'point', filled: true, color: '#059669' }, encoding: { x, y } });
  }
  if (typeof curve.target === 'number') layers.push({ data: { values: [{ value: curve.target }] }, mark: { type: 'rule', color: '#dc2626', strokeDash: [2, 2] }, encoding: { y: { field: 'value', type: 'quantitative' } } });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 420, height: 220, layer: layers };
}

function htmlTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  if (head === undefined) return '';
  return `<table><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr>${body.map((row) => `<tr>${row.map((cell) => `<td class="num">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</table>`;
}

/** The design as one self-contained HTML page, a learning-curve chart (SVG) per assessed candidate. */
export async function designHtml(design: DesignDocument, version: number): Promise<string> {
  const sections: string[] = [`<h1>Design ${escapeHtml(design.name)} <span class="muted">version ${version}</span></h1>`, `<div class="verdict">${escapeHtml(decisionLine(design))}</div>`];
  for (const candidate of design.candidates) {
    const chosen = design.decision?.candidate === candidate.name;
    sections.push(`<h2>${escapeHtml(candidate.name)}${chosen ? '<span class="tag">chosen</span>' : ''}</h2>`);
    const facts = candidateHeader(design, candidate).filter(([name]) => name !== 'decision');
    const tables = isRecord(candidate.feasibility) ? evidenceTables(candidate.feasibility) : undefined;
    facts.push(...(tables?.facts ?? [['feasibility evidence', 'none'] as [string, string]]));
    sections.push(`<table>${facts.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`);
    if (tables === undefined) continue;
    for (const warning of tables.warnings) sections.push(`<div class="alert">${escapeHtml(warning)}</div>`);
    const chart = isRecord(candidate.feasibility?.learningCurve) ? learningCurveChart(candidate.feasibility.learningCurve) : undefined;
    const svg = chart === undefined ? '' : await renderSvg(chart as Parameters<typeof renderSvg>[0]);
    sections.push(`<div class="variable"><div>${svg}</div><div>${[tables.curve, tables.extrapolations, tables.cost].filter((table) => table.length > 0).map(htmlTable).join('<br>')}</div></div>`);
  }
  return page(`Design ${design.name}`, sections.join('\n'));
}
