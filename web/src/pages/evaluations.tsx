// Offline evaluations: the list with each verdict, and one evaluation: the verdict and its checks in words,
// every model's metrics with bootstrap intervals, the challenger-minus-champion differences, and the report.
import { api, useLoad } from '../api.js';
import { Link } from '../router.js';
import { Badge, formatNumber, formatTime, Show } from '../view.js';

interface Estimate {
  estimate: number;
  lower: number;
  upper: number;
  level?: number;
}

/** The metrics summary stored with an evaluation (src/evaluate/evaluate-models.ts, storeEvaluation). */
interface EvaluationSummary {
  models?: { name: string; role: string; metrics: Record<string, Estimate> }[];
  comparison?: { champion: string; differences: Record<string, Estimate & { champion: number; challenger: number }>; delong?: { pValue?: number } | null } | null;
  verdict?: { ready: boolean; summary: string; checks: { check: string; passed: boolean; detail: string }[]; warnings: string[] };
}

const versionName = (ref: { model: string; version: number }) => `${ref.model} v${ref.version}`;

export function EvaluationsPage() {
  const [list] = useLoad(() => api().listEvaluations(), 'evaluations');
  return (
    <section>
      <h1>Evaluations</h1>
      <Show loaded={list}>
        {(evaluations) =>
          evaluations.length === 0 ? (
            <p className="muted">No evaluations. Evaluate a model version with `mlcycle evaluate`.</p>
          ) : (
            <table className="evaluations">
              <thead>
                <tr>
                  <th>Evaluation</th>
                  <th>Candidate</th>
                  <th>Champion</th>
                  <th>Dataset</th>
                  <th>Verdict</th>
                  <th>When</th>
                </tr>
              </thead>
              <tbody>
                {evaluations.map((evaluation) => (
                  <tr key={evaluation.id} data-evaluation={evaluation.id}>
                    <td>
                      <Link to={`/evaluations/${evaluation.id}`}>#{evaluation.id}</Link>
                    </td>
                    <td>{versionName(evaluation.candidate)}</td>
                    <td>{evaluation.champion === undefined ? '–' : versionName(evaluation.champion)}</td>
                    <td>{evaluation.dataset}</td>
                    <td>
                      <Badge kind={evaluation.ready ? 'won' : 'lost'}>{evaluation.ready ? 'ready' : 'not ready'}</Badge>
                    </td>
                    <td className="nowrap">{formatTime(evaluation.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

function interval(estimate: Estimate): string {
  return `[${formatNumber(estimate.lower)}, ${formatNumber(estimate.upper)}]`;
}

export function EvaluationPage({ id }: { id: string }) {
  const [loaded] = useLoad(() => api().getEvaluation(Number(id)), id);
  return (
    <section>
      <p className="crumbs">
        <Link to="/evaluations">Evaluations</Link> /
      </p>
      <Show loaded={loaded}>
        {(evaluation) => {
          const summary = (evaluation.metrics ?? {}) as EvaluationSummary;
          const models = summary.models ?? [];
          const metricNames = [...new Set(models.flatMap((model) => Object.keys(model.metrics)))];
          const differences = summary.comparison?.differences ?? {};
          return (
            <>
              <h1>
                Evaluation #{evaluation.id} <Badge kind={evaluation.ready ? 'won' : 'lost'}>{evaluation.ready ? 'ready' : 'not ready'}</Badge>
              </h1>
              <p className="muted">
                {versionName(evaluation.candidate)}
                {evaluation.champion === undefined ? '' : ` against ${versionName(evaluation.champion)}`} on {evaluation.dataset} · {evaluation.task} · {formatTime(evaluation.createdAt)} by {evaluation.createdBy} ·{' '}
                <a href={`/api/v1/evaluations/${evaluation.id}/report`} target="_blank" rel="noreferrer">
                  HTML report
                </a>
              </p>
              <div className={`decision ${evaluation.ready ? 'decision-ship' : 'decision-dont-ship'}`} data-ready={evaluation.ready ? 'yes' : 'no'}>
                <h2>{evaluation.ready ? 'Ready to go online' : 'Not ready'}</h2>
                <p className="verdict-summary">{evaluation.summary}</p>
              </div>
              {summary.verdict === undefined ? null : (
                <>
                  <h2>Checks</h2>
                  <ul className="health">
                    {summary.verdict.checks.map((check, index) => (
                      <li key={index} className={check.passed ? 'good' : 'bad'} data-check={check.check}>
                        <strong>{check.check}</strong>: {check.detail}
                      </li>
                    ))}
                  </ul>
                  {summary.verdict.warnings.length === 0 ? null : (
                    <ul className="warnings">
                      {summary.verdict.warnings.map((warning, index) => (
                        <li key={index}>{warning}</li>
                      ))}
                    </ul>
                  )}
                </>
              )}
              <h2>Metrics</h2>
              <div className="scroll">
                <table className="eval-metrics">
                  <thead>
                    <tr>
                      <th>Metric</th>
                      {models.map((model) => (
                        <th key={model.name} className="num">
                          {model.name} <span className="muted">({model.role})</span>
                        </th>
                      ))}
                      {Object.keys(differences).length === 0 ? null : <th className="num">Candidate − champion</th>}
                    </tr>
                  </thead>
                  <tbody>
                    {metricNames.map((metric) => (
                      <tr key={metric} data-metric={metric}>
                        <th>{metric}</th>
                        {models.map((model) => {
                          const value = model.metrics[metric];
                          return (
                            <td key={model.name} className="num" data-model={model.role}>
                              {value === undefined ? '–' : formatNumber(value.estimate)} <span className="muted interval">{value === undefined ? '' : interval(value)}</span>
                            </td>
                          );
                        })}
                        {Object.keys(differences).length === 0 ? null : (
                          <td className="num">
                            {differences[metric] === undefined ? '–' : `${differences[metric].estimate > 0 ? '+' : ''}${formatNumber(differences[metric].estimate)}`}{' '}
                            <span className="muted interval">{differences[metric] === undefined ? '' : interval(differences[metric])}</span>
                          </td>
                        )}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}
