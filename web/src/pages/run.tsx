// One run: its attributes, parameters, latest metrics, tags, inputs and a chart per metric history.
import { api, useLoad } from '../api.js';
import { MetricChart } from '../chart.js';
import { Link } from '../router.js';
import { Badge, formatDuration, formatNumber, formatTime, Show } from '../view.js';

/** Points per history the charts ask for: enough for a screen's width, each bucket's minimum and maximum kept. */
export const CHART_POINTS = 1000;

export function RunPage({ id }: { id: string }) {
  const [loaded] = useLoad(async () => {
    const run = await api().getRun(id);
    const keys = Object.keys(run.metrics).sort();
    const histories = await Promise.all(keys.map((key) => api().metricHistory(id, key, { maxPoints: CHART_POINTS })));
    return { run, histories };
  }, id);
  return (
    <section>
      <p className="crumbs">
        <Link to="/runs">Runs</Link> /
      </p>
      <Show loaded={loaded}>
        {({ run, histories }) => (
          <>
            <h1>
              {run.name} <Badge kind={run.status.toLowerCase()}>{run.status.toLowerCase()}</Badge>
            </h1>
            <dl className="facts">
              <dt>Run id</dt>
              <dd>
                <code>{run.id}</code>
              </dd>
              <dt>Started</dt>
              <dd>{formatTime(run.startTime)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(run.endTime === undefined ? undefined : run.endTime - run.startTime)}</dd>
              <dt>User</dt>
              <dd>{run.userId}</dd>
              {run.parentRunId === undefined ? null : (
                <>
                  <dt>Parent</dt>
                  <dd>
                    <Link to={`/runs/${encodeURIComponent(run.parentRunId)}`}>{run.parentRunId}</Link>
                  </dd>
                </>
              )}
              {run.gitCommit === undefined ? null : (
                <>
                  <dt>Commit</dt>
                  <dd>
                    <code>{run.gitCommit}</code>
                  </dd>
                </>
              )}
            </dl>
            <div className="columns-2">
              <div>
                <h2>Metrics</h2>
                <KeyValues rows={Object.entries(run.metrics).map(([key, metric]) => [key, formatNumber(metric.value)])} name="metrics" />
                <h2>Parameters</h2>
                <KeyValues rows={Object.entries(run.params)} name="params" />
              </div>
              <div>
                <h2>Tags</h2>
                <KeyValues rows={Object.entries(run.tags).filter(([key]) => !key.startsWith('mlflow.'))} name="tags" />
                <h2>Inputs</h2>
                {run.inputs.length === 0 ? (
                  <p className="muted">No dataset inputs logged.</p>
                ) : (
                  <ul>
                    {run.inputs.map((input, index) => (
                      <li key={index}>
                        {input.versionRef ?? input.dataset} {input.context === '' ? '' : `(${input.context})`}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
            <h2>Metric histories</h2>
            {histories.filter((history) => history.totalPoints > 1).length === 0 ? <p className="muted">Every metric has a single value.</p> : null}
            <div className="charts">
              {histories
                .filter((history) => history.totalPoints > 1)
                .map((history) => (
                  <MetricChart key={history.key} metric={history.key} series={[{ label: run.name, history }]} />
                ))}
            </div>
          </>
        )}
      </Show>
    </section>
  );
}

function KeyValues({ rows, name }: { rows: [string, string][]; name: string }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table className={`kv kv-${name}`}>
      <tbody>
        {rows
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => (
            <tr key={key} data-key={key}>
              <th>{key}</th>
              <td>{value}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
