// The runs table: paged, sorted and filtered on the server (the search language of `mlcycle runs search`),
// with chosen metric and parameter columns; the URL holds the whole view, so a link shares it.
import { useState } from 'react';
import type { ApiRun } from '../../../src/server/api/api-types.js';
import { api, useLoad } from '../api.js';
import { Link, navigate } from '../router.js';
import { Badge, formatDuration, formatNumber, formatTime, Show } from '../view.js';

export const RUNS_PAGE_SIZE = 50;

interface RunsView {
  experiment: string;
  filter: string;
  order: string;
  columns: string[] | undefined;
  token: string;
}

function viewOf(query: URLSearchParams): RunsView {
  const columns = query.get('columns');
  return {
    experiment: query.get('experiment') ?? '',
    filter: query.get('filter') ?? '',
    order: query.get('order') ?? 'attributes.start_time DESC',
    columns: columns === null ? undefined : columns.split(',').filter((column) => column !== ''),
    token: query.get('page') ?? '',
  };
}

function urlOf(view: RunsView): string {
  const query = new URLSearchParams();
  if (view.experiment !== '') query.set('experiment', view.experiment);
  if (view.filter !== '') query.set('filter', view.filter);
  if (view.order !== 'attributes.start_time DESC') query.set('order', view.order);
  if (view.columns !== undefined) query.set('columns', view.columns.join(','));
  if (view.token !== '') query.set('page', view.token);
  const text = query.toString();
  return text === '' ? '/runs' : `/runs?${text}`;
}

/** The columns to show when none were chosen: the first page's metrics (up to 6), then its params (up to 3). */
function defaultColumns(runs: readonly ApiRun[]): string[] {
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const run of runs) {
    for (const key of Object.keys(run.metrics)) metrics.add(key);
    for (const key of Object.keys(run.params)) params.add(key);
  }
  return [...[...metrics].sort().slice(0, 6).map((key) => `metrics.${key}`), ...[...params].sort().slice(0, 3).map((key) => `params.${key}`)];
}

function available(runs: readonly ApiRun[]): string[] {
  const keys = new Set<string>();
  for (const run of runs) {
    for (const key of Object.keys(run.metrics)) keys.add(`metrics.${key}`);
    for (const key of Object.keys(run.params)) keys.add(`params.${key}`);
    for (const key of Object.keys(run.tags)) if (!key.startsWith('mlflow.')) keys.add(`tags.${key}`);
  }
  return [...keys].sort();
}

function cell(run: ApiRun, column: string): string {
  const dot = column.indexOf('.');
  const entity = column.slice(0, dot);
  const key = column.slice(dot + 1);
  if (entity === 'metrics') return formatNumber(run.metrics[key]?.value);
  if (entity === 'params') return run.params[key] ?? '–';
  if (entity === 'tags') return run.tags[key] ?? '–';
  return '–';
}

/** `metrics.auc` sorted descending first (the best models on top), others ascending. */
function nextOrder(current: string, field: string): string {
  const [currentField, direction] = current.split(/\s+/);
  if (currentField === field) return `${field} ${direction === 'DESC' ? 'ASC' : 'DESC'}`;
  return `${field} ${field.startsWith('metrics.') || field === 'attributes.start_time' ? 'DESC' : 'ASC'}`;
}

function quoteField(column: string): string {
  const dot = column.indexOf('.');
  const key = column.slice(dot + 1);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? column : `${column.slice(0, dot)}.\`${key}\``;
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const view = viewOf(query);
  const go = (change: Partial<RunsView>) => navigate(urlOf({ ...view, token: '', ...change }));
  const [experiments] = useLoad(() => api().listExperiments(), 'experiments');
  const [page] = useLoad(
    () =>
      api().searchRuns({
        ...(view.experiment === '' ? {} : { experiments: [view.experiment] }),
        ...(view.filter === '' ? {} : { filter: view.filter }),
        orderBy: [view.order],
        maxResults: RUNS_PAGE_SIZE,
        ...(view.token === '' ? {} : { pageToken: view.token }),
      }),
    urlOf(view),
  );
  const [draft, setDraft] = useState(view.filter);
  const [selected, setSelected] = useState<string[]>([]);
  const [picking, setPicking] = useState(false);
  const toggle = (id: string) => setSelected((now) => (now.includes(id) ? now.filter((other) => other !== id) : [...now, id]));

  const header = (label: string, field: string) => {
    const [orderField, direction] = view.order.split(/\s+/);
    const sorted = orderField === field;
    return (
      <th className="sortable" aria-sort={sorted ? (direction === 'DESC' ? 'descending' : 'ascending') : 'none'}>
        <button type="button" onClick={() => go({ order: nextOrder(view.order, field) })}>
          {label}
          {sorted ? (direction === 'DESC' ? ' ▼' : ' ▲') : ''}
        </button>
      </th>
    );
  };

  return (
    <section>
      <h1>Runs</h1>
      <form
        className="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ filter: draft.trim() });
        }}
      >
        <select aria-label="experiment" value={view.experiment} onChange={(event) => go({ experiment: event.target.value })}>
          <option value="">All experiments</option>
          {experiments.state === 'done' ? experiments.value.map((experiment) => <option key={experiment.id}>{experiment.name}</option>) : null}
        </select>
        <input aria-label="filter" className="filter" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="metrics.auc > 0.8 and params.model = 'gbdt'" />
        <button type="submit">Search</button>
        <button type="button" onClick={() => setPicking(!picking)}>
          Columns
        </button>
        <button type="button" disabled={selected.length < 2} onClick={() => navigate(`/runs/compare?runs=${selected.map(encodeURIComponent).join(',')}`)}>
          Compare {selected.length > 0 ? selected.length : ''}
        </button>
      </form>
      <Show loaded={page}>
        {(value) => {
          const columns = view.columns ?? defaultColumns(value.runs);
          return (
            <>
              {picking ? (
                <fieldset className="columns">
                  <legend>Columns</legend>
                  {[...new Set([...columns, ...available(value.runs)])].map((column) => (
                    <label key={column}>
                      <input type="checkbox" checked={columns.includes(column)} onChange={() => go({ columns: columns.includes(column) ? columns.filter((other) => other !== column) : [...columns, column], token: view.token })} />
                      {column}
                    </label>
                  ))}
                </fieldset>
              ) : null}
              {value.runs.length === 0 ? (
                <p className="muted">No runs match.</p>
              ) : (
                <div className="scroll">
                  <table className="runs">
                    <thead>
                      <tr>
                        <th aria-label="select" />
                        {header('Run', 'attributes.run_name')}
                        {header('Started', 'attributes.start_time')}
                        <th>Duration</th>
                        {header('Status', 'attributes.status')}
                        {columns.map((column) => (
                          <th key={column} className="sortable num">
                            <button type="button" onClick={() => go({ order: nextOrder(view.order, quoteField(column)) })}>
                              {column.replace(/^(metrics|params|tags)\./, '')}
                              {view.order.split(/\s+/)[0] === quoteField(column) ? (view.order.endsWith('DESC') ? ' ▼' : ' ▲') : ''}
                            </button>
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {value.runs.map((run) => (
                        <tr key={run.id} data-run={run.id}>
                          <td>
                            <input type="checkbox" aria-label={`select ${run.name}`} checked={selected.includes(run.id)} onChange={() => toggle(run.id)} />
                          </td>
                          <td>
                            <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.name}</Link>
                          </td>
                          <td className="nowrap">{formatTime(run.startTime)}</td>
                          <td className="nowrap">{formatDuration(run.endTime === undefined ? undefined : run.endTime - run.startTime)}</td>
                          <td>
                            <Badge kind={run.status.toLowerCase()}>{run.status.toLowerCase()}</Badge>
                          </td>
                          {columns.map((column) => (
                            <td key={column} className="num" data-column={column}>
                              {cell(run, column)}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <div className="pager">
                {view.token === '' ? null : (
                  <button type="button" onClick={() => go({})}>
                    First page
                  </button>
                )}
                {value.nextPageToken === null ? null : (
                  <button type="button" onClick={() => go({ token: value.nextPageToken ?? '' })}>
                    Next page
                  </button>
                )}
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}
