// Rollouts: the list, and one rollout: its steps with the current one marked, its state, the history of
// transitions with their reasons, and buttons to advance, pause, resume or roll back (as `mlcycle rollout`).
import { useState } from 'react';
import type { RolloutRecord } from '../../../src/store/rollout-store.js';
import { api, useAccess, useLoad } from '../api.js';
import { Link } from '../router.js';
import { Badge, ErrorBox, formatTime, Show } from '../view.js';

interface PlanStep {
  name: string;
  share: number;
  shadow?: boolean;
  segments?: Record<string, (string | number)[]>;
  minMinutes?: number;
  minUnits?: number;
}

interface Plan {
  description?: string;
  endpoint: string;
  candidate: string;
  baseline: string;
  steps: PlanStep[];
  onFailure?: string;
}

const STATE_KIND: Record<string, string> = { running: 'running', paused: 'in-progress', completed: 'done', 'rolled-back': 'failed' };

export function RolloutsPage() {
  const [list] = useLoad(() => api().listRollouts(), 'rollouts');
  return (
    <section>
      <h1>Rollouts</h1>
      <Show loaded={list}>
        {(rollouts) =>
          rollouts.length === 0 ? (
            <p className="muted">No rollouts. Start one with `mlcycle rollout start NAME --file ROLLOUT.yaml`.</p>
          ) : (
            <table className="rollouts">
              <thead>
                <tr>
                  <th>Rollout</th>
                  <th>State</th>
                  <th>Step</th>
                  <th>Candidate</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {rollouts.map((rollout) => {
                  const plan = rollout.plan as Plan;
                  return (
                    <tr key={rollout.name} data-rollout={rollout.name}>
                      <td>
                        <Link to={`/rollouts/${encodeURIComponent(rollout.name)}`}>{rollout.name}</Link>
                      </td>
                      <td>
                        <Badge kind={STATE_KIND[rollout.state] ?? rollout.state}>{rollout.state}</Badge>
                      </td>
                      <td>
                        {rollout.step + 1} of {plan.steps.length}: {plan.steps[rollout.step]?.name}
                      </td>
                      <td>{plan.candidate}</td>
                      <td className="nowrap">{formatTime(rollout.updatedAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}

function scope(step: PlanStep): string {
  const where = step.segments === undefined ? 'all traffic' : Object.entries(step.segments).map(([segment, values]) => `${segment} in ${values.join(', ')}`).join(' and ');
  return step.shadow === true ? `shadow on ${where}` : `${(step.share * 100).toFixed(0)}% of ${where}`;
}

/** A step's minimum duration and sample, the ones it has: `60 min and 2,000 units`. */
function minimums(step: PlanStep): string {
  const parts = [(step.minMinutes ?? 0) > 0 ? `${step.minMinutes} min` : '', (step.minUnits ?? 0) > 0 ? `${(step.minUnits ?? 0).toLocaleString('en-US')} units` : ''].filter((part) => part !== '');
  return parts.join(' and ');
}

export function RolloutPage({ name }: { name: string }) {
  const [loaded, reload] = useLoad(() => api().getRollout(name), name);
  return (
    <section>
      <p className="crumbs">
        <Link to="/rollouts">Rollouts</Link> /
      </p>
      <Show loaded={loaded}>{(rollout) => <Rollout rollout={rollout} onMoved={reload} />}</Show>
    </section>
  );
}

function Rollout({ rollout, onMoved }: { rollout: RolloutRecord; onMoved: () => void }) {
  const plan = rollout.plan as Plan;
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const finished = rollout.state === 'completed' || rollout.state === 'rolled-back';
  const access = useAccess();
  const move = (verb: 'advance' | 'pause' | 'resume' | 'rollback') => {
    if (verb === 'rollback' && !window.confirm(`Roll back ${rollout.name}? Traffic returns to ${plan.baseline}.`)) return;
    setBusy(true);
    setError(undefined);
    api()
      .moveRollout(rollout.name, verb)
      .then(onMoved, setError)
      .finally(() => setBusy(false));
  };
  return (
    <>
      <h1>
        {rollout.name}{' '}
        <Badge kind={STATE_KIND[rollout.state] ?? rollout.state}>
          <span data-state={rollout.state}>{rollout.state}</span>
        </Badge>
      </h1>
      <p className="muted">
        {plan.candidate} replacing {plan.baseline} on endpoint {plan.endpoint}
        {plan.description === undefined ? '' : ` · ${plan.description}`} · started {formatTime(rollout.createdAt)}
      </p>
      <ol className="steps">
        {plan.steps.map((step, index) => (
          <li key={step.name} className={index === rollout.step ? 'current' : index < rollout.step ? 'past' : ''} data-step={index}>
            <strong>{step.name}</strong>: {scope(step)}
            {minimums(step) === '' ? null : <span className="muted"> · at least {minimums(step)}</span>}
          </li>
        ))}
      </ol>
      {finished || access !== 'read' ? null : <p className="muted">This token may only read: moving the rollout needs a write token.</p>}
      {finished || access !== 'write' ? null : (
        <div className="action buttons">
          {rollout.state === 'running' ? (
            <button type="button" disabled={busy} onClick={() => move('advance')}>
              {rollout.step + 1 < plan.steps.length ? `Advance to ${plan.steps[rollout.step + 1]?.name}` : 'Complete'}
            </button>
          ) : null}
          {rollout.state === 'running' ? (
            <button type="button" disabled={busy} onClick={() => move('pause')}>
              Pause
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => move('resume')}>
              Resume
            </button>
          )}
          <button type="button" className="danger" disabled={busy} onClick={() => move('rollback')}>
            Roll back
          </button>
        </div>
      )}
      {error === undefined ? null : <ErrorBox error={error} />}
      <h2>History</h2>
      <table className="history">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Step</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {[...rollout.history].reverse().map((transition, index) => (
            <tr key={index}>
              <td className="nowrap">{formatTime(transition.at)}</td>
              <td>{transition.actor}</td>
              <td>
                <code>{transition.action}</code>
              </td>
              <td className="nowrap">{transition.fromStep === transition.toStep ? `${transition.toStep + 1}` : `${transition.fromStep + 1} → ${transition.toStep + 1}`}</td>
              <td>{transition.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
