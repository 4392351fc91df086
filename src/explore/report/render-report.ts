/**
 * The exploration report: one self-contained HTML file (inline CSS, charts as inline SVG), readable
 * offline. Sections: overview, alerts, target and strawman, associations, interactions, variables.
 */
import type { ColumnProfile, DatasetProfile, FoldScores } from '../profile-types.js';
import { escapeHtml, formatNumber, page } from '../../report/html-page.js';
import { renderSvg } from '../../report/svg-chart.js';
import { associationSpec, columnChartSpec, correlationHeatmapSpec } from './charts.js';

function percent(share: number): string {
  return `${(100 * share).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}


async function chart(spec: ReturnType<typeof columnChartSpec>): Promise<string> {
  return spec === undefined ? '' : await renderSvg(spec);
}

function statRows(column: ColumnProfile): [string, string][] {
  const rows: [string, string][] = [
    ['type', `${column.semanticType} (${column.storageType})`],
    ['missing', `${formatNumber(column.missing)} (${percent(column.missingShare)})`],
    ['distinct', `${column.distinctApproximate ? '~' : ''}${formatNumber(column.distinct)}${column.distinctApproximate ? ' (approximate)' : ''}`],
  ];
  const numeric = column.numeric;
  if (numeric !== undefined) {
    rows.push(
      ['mean / std', `${formatNumber(numeric.mean)} / ${formatNumber(numeric.std)}`],
      ['min / max', `${formatNumber(numeric.min)} / ${formatNumber(numeric.max)}`],
      ['quantiles 1 5 25 50', [numeric.quantiles.p1, numeric.quantiles.p5, numeric.quantiles.p25, numeric.quantiles.p50].map(formatNumber).join('  ')],
      ['quantiles 75 95 99', [numeric.quantiles.p75, numeric.quantiles.p95, numeric.quantiles.p99].map(formatNumber).join('  ')],
      ['skewness / kurtosis', `${formatNumber(numeric.skewness)} / ${formatNumber(numeric.kurtosis)}`],
      ['zeros / negatives / infinite', `${formatNumber(numeric.zeros)} / ${formatNumber(numeric.negatives)} / ${formatNumber(numeric.infinities)}`],
    );
  }
  if (column.categorical !== undefined) {
    const top = column.categorical.top[0];
    rows.push(['cardinality', formatNumber(column.categorical.cardinality)]);
    if (top !== undefined) rows.push(['most frequent', `${top.value} (${formatNumber(top.count)})`]);
  }
  if (column.datetime !== undefined) {
    rows.push(['range', `${column.datetime.min ?? '-'} to ${column.datetime.max ?? '-'}`]);
    const gaps = column.datetime.gaps;
    rows.push(['gaps', gaps.length === 0 ? `none (per ${column.datetime.unit})` : gaps.slice(0, 3).map((gap) => `${gap.from.slice(0, 10)}: ${gap.periods} ${column.datetime?.unit}(s)`).join('; ')]);
  }
  if (column.text !== undefined) {
    rows.push(['length min / mean / max', `${formatNumber(column.text.length.min)} / ${formatNumber(column.text.length.mean)} / ${formatNumber(column.text.length.max)}`]);
  }
  return rows;
}

function statTable(column: ColumnProfile): string {
  return `<table>${statRows(column).map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td class="num">${escapeHtml(value)}</td></tr>`).join('')}</table>`;
}

function scoreCells(scores: readonly FoldScores[]): string {
  return scores.map((score) => `${escapeHtml(score.metric)} ${formatNumber(score.mean)} &plusmn; ${formatNumber(score.std)}`).join('<br>');
}

function overview(profile: DatasetProfile): string {
  const missingCells = profile.columns.reduce((sum, column) => sum + column.missing, 0);
  const cells = [
    ['rows', formatNumber(profile.rows)],
    ['columns', formatNumber(profile.columns.length)],
    ['missing cells', percent(profile.rows * profile.columns.length === 0 ? 0 : missingCells / (profile.rows * profile.columns.length))],
    ['duplicate rows', formatNumber(profile.facts.duplicateRows)],
    ['alerts', formatNumber(profile.alerts.length)],
    ['profiled in', `${profile.seconds.toFixed(1)} s`],
  ];
  return `<div class="cards">${cells.map(([name, value]) => `<div class="card"><span class="muted">${name}</span><b>${value}</b></div>`).join('')}</div>`;
}

function alertsSection(profile: DatasetProfile): string {
  if (profile.alerts.length === 0) return '<p class="muted">No alerts.</p>';
  return profile.alerts.map((alert) => `<div class="alert ${alert.kind === 'leak' ? 'leak' : ''}"><span class="kind">${escapeHtml(alert.kind)}</span>${escapeHtml(alert.message)}</div>`).join('');
}

async function targetSection(profile: DatasetProfile): Promise<string> {
  if (profile.target === undefined) return '<p class="muted">No target: give one with --target or in mlcycle.yaml.</p>';
  const parts: string[] = [];
  const balance = profile.facts.target?.balance.slice(0, 8).map((item) => `${escapeHtml(item.value)}: ${percent(item.share)}`).join(', ');
  parts.push(`<p>Target <b>${escapeHtml(profile.target)}</b>${profile.facts.target?.from === 'definition' ? ` = <code>${escapeHtml(profile.facts.target.sql)}</code>` : ''}; ${balance ?? ''}</p>`);
  if (profile.strawman !== undefined) {
    const strawman = profile.strawman;
    parts.push(`<div class="verdict">${escapeHtml(strawman.verdict)}</div>`);
    parts.push(
      `<table><tr><th>model</th><th>scores (mean &plusmn; sd over ${strawman.folds} folds)</th></tr>` +
        `<tr><td>${escapeHtml(strawman.baseline.name)} (baseline)</td><td class="num">${scoreCells(strawman.baseline.scores)}</td></tr>` +
        `<tr><td>${escapeHtml(strawman.model.name)}</td><td class="num">${scoreCells(strawman.model.scores)}</td></tr></table>` +
        `<p class="muted">${formatNumber(strawman.rowsUsed)} rows; features: ${escapeHtml(strawman.features.join(', '))}</p>`,
    );
  } else if (profile.strawmanNote !== undefined) parts.push(`<p class="muted">Strawman: ${escapeHtml(profile.strawmanNote)}</p>`);
  const rows = profile.associations
    .map((item) => {
      const single = item.auc !== undefined ? `AUC ${formatNumber(item.auc)}` : item.r2 !== undefined ? `R&sup2; ${formatNumber(item.r2)}` : '-';
      return `<tr><td>${escapeHtml(item.column)}</td><td class="num">${formatNumber(item.mutualInformation)}</td><td class="num">${single}</td></tr>`;
    })
    .join('');
  const spec = associationSpec(profile.associations, profile.target);
  parts.push(
    `<div class="variable"><div><h3>Association with the target</h3><table><tr><th>column</th><th>mutual information</th><th>alone</th></tr>${rows}</table></div><div>${await chart(spec)}</div></div>`,
  );
  return parts.join('\n');
}

async function interactionsSection(profile: DatasetProfile): Promise<string> {
  const heatmap = correlationHeatmapSpec(profile.correlations);
  const notes = profile.correlationNotes.length === 0 ? '' : `<p class="muted">Left out: ${escapeHtml(profile.correlationNotes.join('; '))}</p>`;
  const legend = '<p class="muted">Spearman for numeric pairs (signed), Cramer\'s V for categorical pairs, the correlation ratio for mixed pairs.</p>';
  return heatmap === undefined ? `<p class="muted">Not enough columns to relate.</p>${notes}` : `${legend}${await chart(heatmap)}${notes}`;
}

async function variableCard(column: ColumnProfile): Promise<string> {
  const tags = `<span class="tag">${escapeHtml(column.semanticType)}</span>`;
  return `<div class="variable"><div><h3>${escapeHtml(column.name)}${tags}</h3>${statTable(column)}</div><div>${await chart(columnChartSpec(column))}</div></div>`;
}

/** The report of one profile. */
export async function renderProfileReport(profile: DatasetProfile): Promise<string> {
  const variables = (await Promise.all(profile.columns.map(variableCard))).join('\n');
  const body = [
    `<h1>${escapeHtml(profile.ref)}</h1><p class="muted">mlcycle exploration report, computed ${escapeHtml(profile.computedAt)}; content hash ${escapeHtml(profile.hash.slice(0, 12))}</p>`,
    overview(profile),
    '<h2>Alerts</h2>',
    alertsSection(profile),
    '<h2>Target and strawman</h2>',
    await targetSection(profile),
    '<h2>Interactions</h2>',
    await interactionsSection(profile),
    '<h2>Variables</h2>',
    variables,
  ];
  return page(`${profile.ref}: exploration`, body.join('\n'));
}

/** Two profiles side by side, column by column. */
export async function renderComparisonReport(left: DatasetProfile, right: DatasetProfile): Promise<string> {
  const names = [...new Set([...left.columns.map((column) => column.name), ...right.columns.map((column) => column.name)])];
  const cards: string[] = [];
  for (const name of names) {
    const sides = await Promise.all(
      [left, right].map(async (profile, index) => {
        const column = profile.columns.find((candidate) => candidate.name === name);
        if (column === undefined) return `<div><h3>${escapeHtml(name)}</h3><p class="muted">not in ${escapeHtml(profile.ref)}</p></div>`;
        return `<div><h3>${escapeHtml(name)} <span class="muted">${escapeHtml(profile.ref)}</span></h3>${statTable(column)}${await chart(columnChartSpec(column, index === 0 ? '#2563eb' : '#d97706'))}</div>`;
      }),
    );
    cards.push(`<div class="variable compare">${sides.join('')}</div>`);
  }
  const body = [
    `<h1>${escapeHtml(left.ref)} vs ${escapeHtml(right.ref)}</h1><p class="muted">mlcycle comparison report</p>`,
    `<div class="variable compare"><div>${overview(left)}</div><div>${overview(right)}</div></div>`,
    '<h2>Alerts</h2>',
    `<div class="variable compare"><div>${alertsSection(left)}</div><div>${alertsSection(right)}</div></div>`,
    '<h2>Variables</h2>',
    ...cards,
  ];
  return page(`${left.ref} vs ${right.ref}`, body.join('\n'));
}
