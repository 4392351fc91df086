// The problem: the spec's statement, target, metrics, segments, stakeholders and owners; the spec's issues by
// line when it does not check; the text itself beneath.
import { api, useLoad } from '../api.js';
import { Badge, formatNumber, Show } from '../view.js';

export function ProblemPage() {
  const [loaded] = useLoad(() => api().spec(), 'spec');
  return (
    <section>
      <Show loaded={loaded}>
        {(check) => {
          if (!check.exists)
            return (
              <>
                <h1>Problem</h1>
                <p className="muted">
                  No problem spec at <code>{check.file}</code>: write one with `mlcycle init NAME`.
                </p>
              </>
            );
          const { spec } = check;
          return (
            <>
              <h1>{spec?.name ?? 'Problem'}</h1>
              <p className="muted">
                <code>{check.file}</code> · spec {check.hash.slice(0, 12)}
              </p>
              {check.issues.length === 0 ? null : (
                <div className="error" role="alert">
                  <strong>The spec does not check:</strong>
                  <ul>
                    {check.issues.map((issue, index) => (
                      <li key={index} data-issue-line={issue.line ?? ''}>
                        {issue.line === undefined ? '' : `line ${issue.line}: `}
                        {issue.path === '' ? '' : `${issue.path}: `}
                        {issue.message}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
              {spec === null ? null : (
                <>
                  <dl className="facts spec">
                    <dt>Customer problem</dt>
                    <dd>{spec.customerProblem}</dd>
                    <dt>Business problem</dt>
                    <dd>{spec.businessProblem}</dd>
                    <dt>Task</dt>
                    <dd>{spec.task}</dd>
                    <dt>Target</dt>
                    <dd>
                      <code>{JSON.stringify(spec.target)}</code>
                    </dd>
                    <dt>Randomisation unit</dt>
                    <dd>{spec.randomizationUnit}</dd>
                  </dl>
                  <h2>Success metrics</h2>
                  {spec.successMetrics.length === 0 ? (
                    <p className="muted">None yet.</p>
                  ) : (
                    <table className="success-metrics">
                      <thead>
                        <tr>
                          <th>Metric</th>
                          <th>Role</th>
                          <th>Kind</th>
                          <th>Direction</th>
                          <th>Description</th>
                        </tr>
                      </thead>
                      <tbody>
                        {spec.successMetrics.map((metric) => (
                          <tr key={metric.id} data-metric={metric.id}>
                            <td>{metric.id}</td>
                            <td>
                              <Badge kind={metric.role}>{metric.role}</Badge>
                            </td>
                            <td>{metric.kind}</td>
                            <td>{metric.direction === 'decrease' ? 'lower is better' : 'higher is better'}</td>
                            <td>{metric.description}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                  {spec.mlMetrics.length === 0 ? null : (
                    <>
                      <h2>ML metric targets</h2>
                      <ul>
                        {spec.mlMetrics.map((target, index) => (
                          <li key={index}>
                            {target.metric} ≥ {formatNumber(target.target)}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  <h2>Segments</h2>
                  {spec.segments.length === 0 ? (
                    <p className="muted">None.</p>
                  ) : (
                    <ul>
                      {spec.segments.map((segment) => (
                        <li key={segment.name}>
                          <strong>{segment.name}</strong> (column <code>{segment.column}</code>){segment.description === undefined ? '' : `: ${segment.description}`}
                        </li>
                      ))}
                    </ul>
                  )}
                  <div className="columns-2">
                    <div>
                      <h2>Stakeholders</h2>
                      {spec.stakeholders.length === 0 ? (
                        <p className="muted">None named.</p>
                      ) : (
                        <ul className="stakeholders">
                          {spec.stakeholders.map((person) => (
                            <li key={person.name}>
                              {person.name} <span className="muted">({person.roles.join(', ')})</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </div>
                    <div>
                      <h2>Owners</h2>
                      {Object.keys(spec.owners).length === 0 ? (
                        <p className="muted">None named.</p>
                      ) : (
                        <table className="kv owners">
                          <tbody>
                            {Object.entries(spec.owners).map(([what, owner]) => (
                              <tr key={what} data-key={what}>
                                <th>{what}</th>
                                <td>
                                  {owner?.owner} <span className="muted">on call: {owner?.onCall}</span>
                                </td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      )}
                    </div>
                  </div>
                </>
              )}
              <h2>mlcycle.yaml</h2>
              <pre className="spec-text">{check.text}</pre>
            </>
          );
        }}
      </Show>
    </section>
  );
}
