/**
 * The monitoring report: one offline HTML page (and its JSON) per workspace, each monitor's checks over its
 * windows as Vega-Lite charts rendered to SVG, and the incidents. It holds aggregates only (one point per
 * window and measure), never a logged row, so it stays small: the demo's is well under 2 MB (its test
 * checks the size).
 */
import type { TopLevelSpec } from 'vega-lite';
import { escapeHtml, formatNumber, page } from '../report/html-page.js';
import { renderSvg } from '../report/svg-chart.js';
import type { Incident, MonitorResult } from '../store/monitor-store.js';
import type { Measure, WindowReport } from './run-monitor.js';

export interface MonitorReportData {
  generatedAt: string;
  monitors: { name: string; windows: { index: number; start: string; end: string; rows: number; alerting: boolean; measures: (Measure & { check: string })[] }[] }[];
  incidents: Incident[];
}

/** The report's data: each monitor's window results, oldest first, flattened to measures. */
export function monitorReportData(results: readonly MonitorResult[], incidents: readonly Incident[], generatedAt: string): MonitorReportData {
  const byMonitor = new Map<string, MonitorReportData['monitors'][number]['windows']>();
  for (const result of [...results].reverse()) {
    const report = result.report as Partial<WindowReport>;
    if (report.kind !== 'window' || report.window === undefined) continue;
    const windows = byMonitor.get(result.monitor) ?? [];
    const measures = (report.checks ?? []).flatMap((check) => check.measures.map((measure) => ({ ...measure, check: check.check })));
    windows.push({ index: report.window.index, start: report.window.start, end: report.window.end, rows: report.window.rows, alerting: result.alerting, measures });
    byMonitor.set(result.monitor, windows);
  }
  return { generatedAt, monitors: [...byMonitor].map(([name, windows]) => ({ name, windows })), incidents: [...incidents] };
}

/** One chart per check: each measure's value by window, its threshold dashed, alerting points in red. */
function checkChart(monitor: MonitorReportData['monitors'][number], check: string, only?: string): TopLevelSpec | null {
  const points = monitor.windows.flatMap((window) =>
    window.measures
      .filter((measure) => measure.check === check && (only === undefined || measure.name === only) && measure.value !== null && Number.isFinite(measure.value) && !measure.name.endsWith('wrong type'))
      .map((measure) => ({ window: window.index, measure: measure.name, value: measure.value, threshold: measure.threshold, alerting: measure.alerting })),
  );
  // Data quality has several measures per column; only those that ever move are worth a line.
  const shown = check === 'quality' ? points.filter((point) => points.some((other) => other.measure === point.measure && (other.value ?? 0) > 0)) : points;
  if (shown.length === 0) return null;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: 160,
    data: { values: shown },
    layer: [
      { mark: { type: 'line', point: false }, encoding: { x: { field: 'window', type: 'quantitative', title: 'window', axis: { tickMinStep: 1 } }, y: { field: 'value', type: 'quantitative', title: only ?? check }, color: { field: 'measure', type: 'nominal', title: null } } },
      { mark: { type: 'line', strokeDash: [4, 3], opacity: 0.6 }, encoding: { x: { field: 'window', type: 'quantitative' }, y: { field: 'threshold', type: 'quantitative' }, color: { field: 'measure', type: 'nominal' } } },
      { mark: { type: 'point', filled: true, size: 40 }, encoding: { x: { field: 'window', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { condition: { test: 'datum.alerting', value: '#dc2626' }, value: '#9ca3af' } } },
    ],
  } as TopLevelSpec;
}

const CHECK_TITLES: Record<string, string> = {
  drift: 'Feature drift (distance or p-value per column; dashed: its threshold)',
  predictions: 'Prediction drift (PSI of each version against its offline evaluation)',
  labels: 'Label drift',
  quality: 'Data quality (shares that moved; dashed: their limits)',
  performance: 'Performance: ROC AUC from labels and estimated before them (dashed: the floor)',
  health: 'Service health',
};

/** The report as one HTML page. */
export async function renderMonitorReport(data: MonitorReportData): Promise<string> {
  const sections: string[] = [];
  for (const monitor of data.monitors) {
    const charts: string[] = [];
    for (const check of Object.keys(CHECK_TITLES)) {
      // The error rate and the latency have different units: one chart each.
      const specs = check === 'health' ? [checkChart(monitor, check, 'error rate'), checkChart(monitor, check, 'p99 latency ms')] : [checkChart(monitor, check)];
      const svgs: string[] = [];
      for (const spec of specs) if (spec !== null) svgs.push(await renderSvg(spec));
      if (svgs.length > 0) charts.push(`<h3>${escapeHtml(CHECK_TITLES[check] as string)}</h3>${svgs.join('')}`);
    }
    const rows = monitor.windows
      .map((window) => {
        const alerts = [...new Set(window.measures.filter((measure) => measure.alerting).map((measure) => measure.check))];
        return `<tr><td>${window.index}</td><td>${escapeHtml(window.start)}</td><td>${escapeHtml(window.end)}</td><td>${formatNumber(window.rows)}</td><td>${alerts.length === 0 ? 'ok' : `<strong>${escapeHtml(alerts.join(', '))}</strong>`}</td></tr>`;
      })
      .join('');
    sections.push(`<h2>Monitor ${escapeHtml(monitor.name)}</h2>${charts.join('')}<table><thead><tr><th>window</th><th>from</th><th>to</th><th>predictions</th><th>alerts</th></tr></thead><tbody>${rows}</tbody></table>`);
  }
  const incidents = data.incidents
    .map((incident) => `<tr><td>${incident.id}</td><td>${escapeHtml(incident.state)}</td><td>${escapeHtml(incident.severity)}</td><td>${escapeHtml(incident.owner ?? 'none')}</td><td>${incident.occurrences}</td><td>${escapeHtml(incident.title)}</td></tr>`)
    .join('');
  const body = `<h1>Monitoring</h1><p>Generated ${escapeHtml(data.generatedAt)}; ${data.monitors.length} monitor(s), ${data.incidents.filter((incident) => incident.state !== 'resolved').length} unresolved incident(s).</p>${sections.join('')}<h2>Incidents</h2>${incidents === '' ? '<p>none</p>' : `<table><thead><tr><th>#</th><th>state</th><th>severity</th><th>owner</th><th>occurrences</th><th>title</th></tr></thead><tbody>${incidents}</tbody></table>`}`;
  return page('mlcycle monitoring', body);
}
