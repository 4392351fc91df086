// Selected runs side by side: their metrics in one table and one chart per chosen metric, every run a line.
import { api, useLoad } from '../api.js';
import { MetricChart } from '../chart.js';
import { Link, navigate } from '../router.js';
import { formatNumber, Show } from '../view.js';
import { CHART_POINTS } from './run.js';

export function CompareRunsPage({ query }: { query: URLSearchParams }) {
  const ids = (query.get('runs') ?? '').split(',').filter((id) => id !== '');
  const chosen = query.get('metric') ?? '';
  const [loaded] = useLoad(async () => {
    const runs = await Promise.all(ids.map((id) => api().getRun(id)));
    const keys = [...new Set(runs.flatMap((run) => Object.keys(run.metrics)))].sort();
    const metric = chosen !== '' ? chosen : (keys[0] ?? '');
    const series = metric === '' ? [] : await Promise.all(runs.filter((run) => run.metrics[metric] !== undefined).map(async (run) => ({ label: run.name, history: await api().metricHistory(run.id, metric, { maxPoints: CHART_POINTS }) })));
    return { runs, keys, metric, series };
  }, `${ids.join(',')}|${chosen}`);
  return (
    <section>
      <p className="crumbs">
        <Link to="/runs">Runs</Link> /
      </p>
      <h1>Compare runs</h1>
      <Show loaded={loaded}>
        {({ runs, keys, metric, series }) => (
          <>
            <div className="scroll">
              <table className="compare">
                <thead>
                  <tr>
                    <th>Metric</th>
                    {runs.map((run) => (
                      <th key={run.id} className="num">
                        <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.name}</Link>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {keys.map((key) => (
                    <tr key={key} className={key === metric ? 'chosen' : ''}>
                      <th>
                        <button type="button" className="linklike" onClick={() => navigate(`/runs/compare?runs=${ids.map(encodeURIComponent).join(',')}&metric=${encodeURIComponent(key)}`, { replace: true })}>
                          {key}
                        </button>
                      </th>
                      {runs.map((run) => (
                        <td key={run.id} className="num">
                          {formatNumber(run.metrics[key]?.value)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {metric === '' ? <p className="muted">These runs have no metrics.</p> : <MetricChart metric={metric} series={series} />}
          </>
        )}
      </Show>
    </section>
  );
}
