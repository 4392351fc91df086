// Stage 8's service as the event log saw it: each model version's answered and failed requests, alert rate and
// latency, and the predictions per hour.
import { api, useLoad } from '../api.js';
import { SpecChart } from '../chart.js';
import { Link } from '../router.js';
import { formatNumber, formatPercent, formatTime, Show } from '../view.js';

export function ServingPage() {
  const [loaded] = useLoad(() => api().serving(), 'serving');
  return (
    <section>
      <h1>Serving</h1>
      <Show loaded={loaded}>
        {({ versions, hourly }) =>
          versions.length === 0 ? (
            <p className="muted">No served predictions in the event log. Serve a model with `mlcycle serve` (or `mlcycle server`).</p>
          ) : (
            <>
              <table className="served">
                <thead>
                  <tr>
                    <th>Model version</th>
                    <th className="num">Predictions</th>
                    <th className="num">Shadow</th>
                    <th className="num">Failed</th>
                    <th className="num">Alert rate</th>
                    <th className="num">Latency p50 / p99</th>
                    <th>From</th>
                    <th>To</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((version) => (
                    <tr key={`${version.model}/${version.version}`} data-served={`${version.model}/${version.version}`}>
                      <td>
                        <Link to={`/models/${encodeURIComponent(version.model)}/${version.version}`}>
                          {version.model} v{version.version}
                        </Link>
                      </td>
                      <td className="num">{formatNumber(version.predictions)}</td>
                      <td className="num">{formatNumber(version.shadow)}</td>
                      <td className="num">
                        {formatNumber(version.errors)}
                        {version.predictions + version.errors === 0 ? '' : ` (${formatPercent(version.errors / (version.predictions + version.errors), 2)})`}
                      </td>
                      <td className="num">{version.alertRate === null ? '–' : formatPercent(version.alertRate)}</td>
                      <td className="num nowrap">
                        {version.latencyP50Ms === null ? '–' : `${version.latencyP50Ms.toFixed(1)} / ${(version.latencyP99Ms ?? 0).toFixed(1)} ms`}
                      </td>
                      <td className="nowrap">{formatTime(version.first)}</td>
                      <td className="nowrap">{formatTime(version.last)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div className="charts">
                <SpecChart
                  name="traffic"
                  caption="Predictions per hour"
                  spec={{
                    data: { values: hourly.map((row) => ({ ...row, served: `${row.model} v${row.version}` })) },
                    mark: { type: 'bar' },
                    encoding: { x: { field: 'hour', type: 'temporal', title: null }, y: { field: 'predictions', type: 'quantitative', stack: true }, color: { field: 'served', type: 'nominal', title: null }, tooltip: [{ field: 'served' }, { field: 'hour', type: 'temporal' }, { field: 'predictions' }] },
                  }}
                />
              </div>
            </>
          )
        }
      </Show>
    </section>
  );
}
