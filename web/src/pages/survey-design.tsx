// Stages 4 and 5: the literature survey's references (what each reported, on which data, and our runs that
// reproduce or adapt it) and the design documents: each candidate's approach, effort, learning curve with
// its extrapolation to the full data, compute cost and the A/B test's size, and the decision.
import type { DesignDocument, DesignCandidate } from '../../../src/design/design-document.js';
import type { DesignRecord } from '../../../src/store/design-store.js';
import { api, useLoad } from '../api.js';
import { SpecChart } from '../chart.js';
import { Link } from '../router.js';
import { Badge, formatDuration, formatNumber, formatTime, Show } from '../view.js';

export function SurveyPage() {
  const [references] = useLoad(() => api().listReferences(), 'references');
  const [designs] = useLoad(() => api().listDesigns(), 'designs');
  return (
    <section>
      <h1>Survey and design</h1>
      <h2>References</h2>
      <Show loaded={references}>
        {(list) =>
          list.length === 0 ? (
            <p className="muted">No references. Add them with `mlcycle survey add FILE.bib`.</p>
          ) : (
            <table className="references">
              <thead>
                <tr>
                  <th>Reference</th>
                  <th>Approach and data</th>
                  <th>Reported</th>
                  <th>Our runs</th>
                </tr>
              </thead>
              <tbody>
                {list.map((reference) => (
                  <tr key={reference.key} data-reference={reference.key}>
                    <td>
                      <strong>{reference.url === undefined ? reference.title : <a href={reference.url}>{reference.title}</a>}</strong>
                      <div className="muted small">
                        {reference.authors.join(', ')}
                        {reference.year === undefined ? '' : ` (${reference.year})`}
                        {reference.venue === undefined ? '' : `, ${reference.venue}`} · <code>{reference.key}</code>
                      </div>
                    </td>
                    <td>
                      {reference.approach}
                      <div className="muted small">
                        {reference.task} on {reference.dataset}
                      </div>
                    </td>
                    <td className="nowrap">
                      {reference.reported.map((metric) => (
                        <div key={metric.name}>
                          {metric.name} {formatNumber(metric.value)}
                        </div>
                      ))}
                    </td>
                    <td>
                      {reference.links.length === 0
                        ? '–'
                        : reference.links.map((link) => (
                            <div key={link.runId}>
                              {link.relation} <Link to={`/runs/${encodeURIComponent(link.runId)}`}>{link.runId.slice(0, 8)}</Link>
                            </div>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      <h2>Designs</h2>
      <Show loaded={designs}>{(list) => (list.length === 0 ? <p className="muted">No design documents. Write one with `mlcycle design create FILE.yaml`.</p> : <>{list.map((record) => <Design key={record.name} record={record} />)}</>)}</Show>
    </section>
  );
}

function Design({ record }: { record: DesignRecord }) {
  const document = record.document as DesignDocument;
  const curves = document.candidates.flatMap((candidate) => (candidate.feasibility?.learningCurve?.points ?? []).map((point) => ({ candidate: candidate.name, rows: point.rows, value: point.value })));
  const metric = document.candidates.find((candidate) => candidate.feasibility?.learningCurve !== undefined)?.feasibility?.learningCurve?.metric ?? 'metric';
  return (
    <div className="design" data-design={record.name}>
      <h3>
        {record.name} <span className="muted small">version {record.version}, {formatTime(record.createdAt)} by {record.createdBy}</span>
      </h3>
      {document.decision === undefined ? (
        <p className="muted">No decision yet.</p>
      ) : (
        <p className="decision-line" data-decision={document.decision.candidate}>
          <Badge kind="done">chose {document.decision.candidate}</Badge> {document.decision.reason}
        </p>
      )}
      {curves.length === 0 ? null : (
        <div className="charts">
          <SpecChart
            name={`curve-${record.name}`}
            caption={`Learning curves: validation ${metric} by training rows`}
            spec={{
              data: { values: curves },
              layer: [
                // The line through each size's mean over seeds; every seed's measurement as a point.
                { mark: { type: 'line' }, encoding: { x: { field: 'rows', type: 'quantitative', title: 'training rows', scale: { type: 'log' } }, y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: metric, scale: { zero: false } }, color: { field: 'candidate', type: 'nominal', title: null } } },
                { mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x: { field: 'rows', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'candidate', type: 'nominal' }, tooltip: [{ field: 'candidate' }, { field: 'rows' }, { field: 'value', format: '.4f' }] } },
              ],
            }}
          />
        </div>
      )}
      <table className="candidates">
        <thead>
          <tr>
            <th>Candidate</th>
            <th>Approach</th>
            <th>Effort</th>
            <th>At the full data</th>
            <th>Training cost</th>
          </tr>
        </thead>
        <tbody>
          {document.candidates.map((candidate) => (
            <tr key={candidate.name} data-candidate={candidate.name}>
              <td>
                <strong>{candidate.name}</strong>
                <div className="muted small">{candidate.pipeline}</div>
              </td>
              <td>
                {candidate.approach}
                {candidate.risks.length === 0 ? null : <div className="muted small">risks: {candidate.risks.join('; ')}</div>}
              </td>
              <td className="nowrap">
                {candidate.developerDays} developer-days, {candidate.dataScientistDays} data-scientist-days
              </td>
              <td>{verdicts(candidate)}</td>
              <td className="nowrap">{cost(candidate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function verdicts(candidate: DesignCandidate): string {
  const curve = candidate.feasibility?.learningCurve;
  if (curve === undefined) return '–';
  const target = curve.target === undefined ? '' : ` (target ${formatNumber(curve.target)})`;
  return `${curve.verdicts.map((verdict) => `${verdict.multiple}x: ${verdict.reaches}`).join(', ')}${target}`;
}

function cost(candidate: DesignCandidate): string {
  // The projection at the candidate's full data (the first), not the extrapolations beyond it.
  const projection = candidate.feasibility?.computeCost?.projections[0];
  if (projection === undefined) return '–';
  return `${formatDuration(Math.round(projection.seconds * 1000))} on ${formatNumber(projection.rows)} rows`;
}
