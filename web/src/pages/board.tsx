// The lifecycle board: the ten stages with state, evidence and next step, and the audit log beneath.
import { useState } from 'react';
import { api, useLoad } from '../api.js';
import { Badge, formatTime, Show } from '../view.js';

const STATE_WORDS: Record<string, string> = { 'not-started': 'not started', 'in-progress': 'in progress', done: 'done', 'needs-attention': 'needs attention' };

export function BoardPage() {
  const [board] = useLoad(() => api().board(), 'board');
  const [auditLimit, setAuditLimit] = useState(25);
  const [audit] = useLoad(() => api().auditLog({ limit: auditLimit }), `audit-${auditLimit}`);
  return (
    <section>
      <Show loaded={board}>
        {(value) => (
          <>
            <h1>{value.project ?? 'Lifecycle'}</h1>
            <p className="muted">
              Workspace <code>{value.root}</code>
            </p>
            {value.next === undefined ? (
              <p className="next">Every stage is done.</p>
            ) : (
              <p className="next">
                Next: <strong>{value.next.step}</strong>
              </p>
            )}
            <ol className="board">
              {value.stages.map((stage) => (
                <li key={stage.id} className={`stage stage-${stage.state}`} data-stage={stage.id} data-state={stage.state}>
                  <div className="stage-head">
                    <span className="stage-number">{stage.number}</span>
                    <h2>{stage.title}</h2>
                    <Badge kind={stage.state}>{STATE_WORDS[stage.state] ?? stage.state}</Badge>
                  </div>
                  {stage.evidence.length > 0 ? (
                    <ul className="evidence">
                      {stage.evidence.map((line, index) => (
                        <li key={index}>{line}</li>
                      ))}
                    </ul>
                  ) : (
                    <p className="muted">No evidence yet.</p>
                  )}
                  {stage.state === 'done' ? null : <p className="step">Next step: {stage.nextStep}</p>}
                </li>
              ))}
            </ol>
          </>
        )}
      </Show>
      <h2>Audit log</h2>
      <Show loaded={audit}>
        {(entries) =>
          entries.length === 0 ? (
            <p className="muted">No changes recorded.</p>
          ) : (
            <table className="audit">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Subject</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className="nowrap">{formatTime(entry.at)}</td>
                    <td>{entry.actor}</td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td className="wrap">{entry.subject}</td>
                    <td>{entry.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
      {audit.state === 'done' && audit.value.length === auditLimit && auditLimit < 1000 ? (
        <div className="pager">
          <button type="button" onClick={() => setAuditLimit(1000)}>
            Show the last 1,000 changes
          </button>
        </div>
      ) : null}
    </section>
  );
}
