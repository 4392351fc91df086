// Monitors, alerts and incidents: the spec's monitors with their last window, the unresolved incidents with
// their owners and buttons to acknowledge or resolve them (as `mlcycle incidents ack|resolve`), and one
// monitor: each column's drift over its windows against its threshold, and every check of every window.
import { useState } from 'react';
import type { Incident, MonitorResult } from '../../../src/store/monitor-store.js';
import type { WindowReport } from '../../../src/monitor/run-monitor.js';
import { api, useAccess, useLoad } from '../api.js';
import { SpecChart } from '../chart.js';
import { Link } from '../router.js';
import { Badge, ErrorBox, formatNumber, formatTime, Show } from '../view.js';

const INCIDENT_KIND: Record<string, string> = { open: 'needs-attention', acknowledged: 'in-progress', resolved: 'done' };

function windowOf(result: MonitorResult | null): WindowReport | undefined {
  const report = result?.report as Partial<WindowReport> | undefined;
  return report?.kind === 'window' ? (report as WindowReport) : undefined;
}

export function MonitorsPage() {
  const [monitors] = useLoad(() => api().listMonitors(), 'monitors');
  const [incidents, reload] = useLoad(() => api().listIncidents(), 'incidents');
  return (
    <section>
      <h1>Monitors</h1>
      <Show loaded={monitors}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No monitors declared. Add one with `mlcycle monitor add NAME --model MODEL --reference DATASET --window rows:5000`.</p>
          ) : (
            <table className="monitors">
              <thead>
                <tr>
                  <th>Monitor</th>
                  <th>Model</th>
                  <th>Windows</th>
                  <th>Last window</th>
                  <th>Alerts</th>
                </tr>
              </thead>
              <tbody>
                {list.map((monitor) => {
                  const last = windowOf(monitor.last);
                  const alerts = last?.checks.filter((check) => check.status === 'alert').map((check) => check.check) ?? [];
                  return (
                    <tr key={monitor.name} data-monitor={monitor.name}>
                      <td>
                        <Link to={`/monitors/${encodeURIComponent(monitor.name)}`}>{monitor.name}</Link>
                      </td>
                      <td>{monitor.model}</td>
                      <td>{'rows' in monitor.window ? `every ${monitor.window.rows.toLocaleString('en-US')} predictions` : `every ${monitor.window.every}`}</td>
                      <td className="nowrap">{last === undefined ? 'not run yet' : `${last.window.index} (ended ${formatTime(last.window.end)})`}</td>
                      <td>{last === undefined ? '–' : alerts.length === 0 ? <Badge kind="done">ok</Badge> : alerts.map((check) => <Badge key={check} kind="needs-attention">{check}</Badge>)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </Show>
      <h2>Incidents</h2>
      <Show loaded={incidents}>{(list) => <Incidents incidents={list} onMoved={reload} />}</Show>
    </section>
  );
}

function Incidents({ incidents, onMoved }: { incidents: Incident[]; onMoved: () => void }) {
  const access = useAccess();
  const [error, setError] = useState<unknown>();
  const move = (incident: Incident, verb: 'ack' | 'resolve') => {
    setError(undefined);
    api().moveIncident(incident.id, verb).then(onMoved, setError);
  };
  if (incidents.length === 0) return <p className="muted">No incidents.</p>;
  return (
    <>
      {error === undefined ? null : <ErrorBox error={error} />}
      <table className="incidents">
        <thead>
          <tr>
            <th>#</th>
            <th>State</th>
            <th>Severity</th>
            <th>Owner</th>
            <th>Seen</th>
            <th>What</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {incidents.map((incident) => (
            <tr key={incident.id} data-incident={incident.id}>
              <td>{incident.id}</td>
              <td>
                <Badge kind={INCIDENT_KIND[incident.state] ?? incident.state}>
                  <span data-state={incident.state}>{incident.state}</span>
                </Badge>
              </td>
              <td>{incident.severity}</td>
              <td>
                {incident.owner ?? 'no owner'}
                {incident.onCall === null ? null : <div className="muted small">{incident.onCall}</div>}
              </td>
              <td className="nowrap">
                {incident.occurrences}× since {formatTime(incident.openedAt)}
              </td>
              <td>{incident.title}</td>
              <td className="nowrap">
                {access !== 'write' || incident.state === 'resolved' ? null : (
                  <>
                    {incident.state === 'open' ? (
                      <button type="button" onClick={() => move(incident, 'ack')}>
                        Acknowledge
                      </button>
                    ) : null}{' '}
                    <button type="button" onClick={() => move(incident, 'resolve')}>
                      Resolve
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function MonitorPage({ name }: { name: string }) {
  const [results] = useLoad(() => api().monitorResults(name, 1000), name);
  return (
    <section>
      <p className="crumbs">
        <Link to="/monitors">Monitors</Link> /
      </p>
      <h1>{name}</h1>
      <Show loaded={results}>{(list) => <MonitorWindows results={list} />}</Show>
    </section>
  );
}

function MonitorWindows({ results }: { results: MonitorResult[] }) {
  const windows = results
    .map((result) => windowOf(result))
    .filter((report): report is WindowReport => report !== undefined)
    .reverse();
  if (windows.length === 0) return <p className="muted">No window computed yet: `mlcycle monitor run` (or the server's scheduler) computes them.</p>;
  const drift = windows.flatMap((report) => report.columns.map((column) => ({ window: report.window.index, column: column.column, value: column.score, threshold: column.threshold, drifted: column.drifted })));
  const performance = windows.flatMap((report) =>
    (report.checks.find((check) => check.check === 'performance')?.measures ?? []).filter((measure) => measure.value !== null).map((measure) => ({ window: report.window.index, measure: measure.name, value: measure.value })),
  );
  const line = (field: string) => ({ x: { field: 'window', type: 'quantitative', title: 'window', axis: { tickMinStep: 1 } }, color: { field, type: 'nominal', title: null } });
  return (
    <>
      <p className="muted">
        {windows.length} windows against {windows[0]?.reference.description} ({formatNumber(windows[0]?.reference.rows)} rows).
      </p>
      <div className="charts">
        <SpecChart
          name="drift"
          caption="Drift by column (dashed: each column's threshold; red: drifted)"
          spec={{
            data: { values: drift },
            layer: [
              { mark: { type: 'line' }, encoding: { ...line('column'), y: { field: 'value', type: 'quantitative', title: 'distance' } } },
              { mark: { type: 'line', strokeDash: [4, 3], opacity: 0.5 }, encoding: { ...line('column'), y: { field: 'threshold', type: 'quantitative' } } },
              { mark: { type: 'point', filled: true }, encoding: { x: { field: 'window', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { condition: { test: 'datum.drifted', value: '#dc2626' }, value: '#9ca3af' }, tooltip: [{ field: 'column' }, { field: 'window' }, { field: 'value', format: '.4f' }, { field: 'threshold', format: '.4f' }] } },
            ],
          }}
        />
        {performance.length === 0 ? null : (
          <SpecChart name="performance" caption="ROC AUC: from the labels, and estimated before them" spec={{ data: { values: performance }, mark: { type: 'line', point: true }, encoding: { ...line('measure'), y: { field: 'value', type: 'quantitative', title: 'ROC AUC', scale: { zero: false } } } }} />
        )}
      </div>
      <table className="windows">
        <thead>
          <tr>
            <th>Window</th>
            <th>Predictions</th>
            <th>Ended</th>
            <th>Checks</th>
            <th>Drifted columns</th>
          </tr>
        </thead>
        <tbody>
          {[...windows].reverse().map((report) => (
            <tr key={report.window.index} data-window={report.window.index}>
              <td>{report.window.index}</td>
              <td className="num">{formatNumber(report.window.rows)}</td>
              <td className="nowrap">{formatTime(report.window.end)}</td>
              <td>
                {report.checks.map((check) => (
                  <Badge key={check.check} kind={check.status === 'alert' ? 'needs-attention' : check.status === 'ok' ? 'done' : 'draft'}>
                    <span title={check.summary}>{check.check}</span>
                  </Badge>
                ))}
              </td>
              <td>
                {report.columns
                  .filter((column) => column.drifted)
                  .map((column) => `${column.column} ${column.score.toFixed(3)} > ${column.threshold.toFixed(3)}`)
                  .join(', ') || '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
