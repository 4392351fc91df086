/** Finding runs the way people name them: a full id or a unique prefix, and searches from text. */
import { MlcycleError } from '../error.js';
import type { RunQuery } from '../store/run-filter.js';
import type { Run, RunPage, RunStore } from '../store/run-store.js';
import { parseFilter, parseOrderBy } from './search/parse-filter.js';

/** The run an id or an id prefix of at least 6 hex digits names, deleted runs included. */
export async function resolveRun(store: RunStore, reference: string): Promise<Run> {
  const prefix = reference.toLowerCase();
  if (!/^[0-9a-f]{6,32}$/.test(prefix)) throw new MlcycleError('usage', `run "${reference}": give a run id or at least 6 of its hex digits`);
  if (prefix.length === 32) {
    const run = await store.findRun(prefix);
    if (run === undefined) throw new MlcycleError('not_found', `no run with id ${prefix}`);
    return run;
  }
  const filter = { kind: 'comparison', field: { entity: 'attribute', key: 'run_id' }, comparator: 'LIKE', value: `${prefix}%` } as const;
  const { runs } = await store.searchRuns({ filter, lifecycle: 'all', maxResults: 2 });
  if (runs.length === 0) throw new MlcycleError('not_found', `no run id starts with ${prefix}`);
  if (runs.length > 1) throw new MlcycleError('usage', `run "${reference}" is ambiguous: ${runs.map((run) => run.id).join(', ')}... match; give more digits`);
  return runs[0] as Run;
}

export interface RunSearchText {
  /** Experiment names; all experiments when empty (and no ids are given). */
  experiments?: readonly string[];
  /** Experiment ids, besides those the names give. */
  experimentIds?: readonly string[];
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  lifecycle?: RunQuery['lifecycle'];
}

/** Runs a search written as text (experiment names, a filter, orderings), as the CLI and HTTP API take it. */
export async function searchRunsByText(store: RunStore, search: RunSearchText): Promise<RunPage> {
  const query: RunQuery = {};
  const ids: string[] = [...(search.experimentIds ?? [])];
  for (const id of ids) if (!/^\d{1,15}$/.test(id)) throw new MlcycleError('invalid_input', `experimentIds: "${id}" is not an experiment id`, { issues: [{ path: 'experimentIds', message: 'not an experiment id' }] });
  if (search.experiments !== undefined && search.experiments.length > 0) {
    for (const name of search.experiments) {
      const experiment = await store.findExperiment({ name });
      if (experiment === undefined) throw new MlcycleError('not_found', `no experiment named "${name}"`);
      ids.push(experiment.id);
    }
  }
  if (ids.length > 0) query.experimentIds = ids;
  const filter = search.filter === undefined ? undefined : parseFilter(search.filter);
  if (filter !== undefined) query.filter = filter;
  if (search.orderBy !== undefined) query.orderBy = parseOrderBy(search.orderBy);
  if (search.maxResults !== undefined) query.maxResults = search.maxResults;
  if (search.pageToken !== undefined) query.pageToken = search.pageToken;
  if (search.lifecycle !== undefined) query.lifecycle = search.lifecycle;
  return store.searchRuns(query);
}
