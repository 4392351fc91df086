/**
 * Where the read-only tracking commands (`runs list|show|compare`, `models list|show`) read from: the
 * workspace's own store, or an mlcycle server through the typed client when `--server URL` (or
 * MLCYCLE_SERVER) is given, with MLCYCLE_TOKEN as the token. Both give the library's types, so the
 * commands print the same either way.
 */
import type { MlcycleClient } from '../client/client.js';
import { MlcycleError } from '../error.js';
import type { ApiRun } from '../server/api/api-types.js';
import type { ModelVersion, RegisteredModel } from '../store/model-registry.js';
import type { ArtifactEntry, Run, RunPage } from '../store/run-store.js';
import type { RunSearchText } from '../tracking/find-runs.js';
import type { ModelLineage } from '../tracking/registry/register-model.js';
import type { CommandEnvironment } from './program.js';
import { withWorkspace } from './workspace-option.js';

export interface TrackingSource {
  searchRuns(search: RunSearchText): Promise<RunPage>;
  /** The run a full id or a prefix of 6+ hex digits names, deleted runs included. */
  resolveRun(reference: string): Promise<Run>;
  /** Experiment id to name. */
  experimentNames(): Promise<Map<string, string>>;
  listArtifacts(runId: string, folder: string): Promise<ArtifactEntry[]>;
  listModels(): Promise<RegisteredModel[]>;
  /** A model and its versions, newest first. */
  modelDetail(name: string): Promise<{ model: RegisteredModel; versions: ModelVersion[] }>;
  modelLineage(uri: string): Promise<ModelLineage>;
}

/** A run from the API with its metric values as numbers again ("NaN" becomes NaN). */
function runOf(run: ApiRun): Run {
  return { ...run, metrics: Object.fromEntries(Object.entries(run.metrics).map(([key, metric]) => [key, { ...metric, value: Number(metric.value) }])) };
}

function remoteSource(client: MlcycleClient): TrackingSource {
  return {
    async searchRuns(search) {
      const page = await client.searchRuns({
        ...(search.experiments === undefined ? {} : { experiments: [...search.experiments] }),
        ...(search.filter === undefined ? {} : { filter: search.filter }),
        ...(search.orderBy === undefined ? {} : { orderBy: [...search.orderBy] }),
        ...(search.maxResults === undefined ? {} : { maxResults: search.maxResults }),
        ...(search.pageToken === undefined ? {} : { pageToken: search.pageToken }),
        ...(search.lifecycle === undefined ? {} : { lifecycle: search.lifecycle }),
      });
      return { runs: page.runs.map(runOf), ...(page.nextPageToken === null ? {} : { nextPageToken: page.nextPageToken }) };
    },
    async resolveRun(reference) {
      const prefix = reference.toLowerCase();
      if (!/^[0-9a-f]{6,32}$/.test(prefix)) throw new MlcycleError('usage', `run "${reference}": give a run id or at least 6 of its hex digits`);
      if (prefix.length === 32) return runOf(await client.getRun(prefix));
      const { runs } = await client.searchRuns({ filter: `attributes.run_id LIKE '${prefix}%'`, lifecycle: 'all', maxResults: 2 });
      if (runs.length === 0) throw new MlcycleError('not_found', `no run id starts with ${prefix}`);
      if (runs.length > 1) throw new MlcycleError('usage', `run "${reference}" is ambiguous: ${runs.map((run) => run.id).join(', ')}... match; give more digits`);
      return runOf(runs[0] as ApiRun);
    },
    async experimentNames() {
      return new Map((await client.listExperiments()).map((experiment) => [experiment.id, experiment.name]));
    },
    listArtifacts: (runId, folder) => client.listArtifacts(runId, folder),
    listModels: () => client.listModels(),
    modelDetail: (name) => client.getModel(name),
    async modelLineage(uri) {
      const lineage = await client.modelLineage(uri);
      return { ...lineage, run: runOf(lineage.run) };
    },
  };
}

/** The server URL a command should use: `--server`, else MLCYCLE_SERVER, else none (the local workspace). */
export function serverUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = option ?? env.MLCYCLE_SERVER;
  return url === undefined || url.trim() === '' ? undefined : url.trim();
}

/** Runs a body against the server, when one is named, or the local workspace. */
export async function withTrackingSource<T>(environment: CommandEnvironment, server: string | undefined, body: (source: TrackingSource) => Promise<T>): Promise<T> {
  const url = serverUrl(server);
  if (url !== undefined) {
    const token = process.env.MLCYCLE_TOKEN;
    const { createClient } = await import('../client/client.js');
    return body(remoteSource(createClient({ url, ...(token === undefined || token === '' ? {} : { token }) })));
  }
  const [{ resolveRun, searchRunsByText }, { modelLineage }] = await Promise.all([import('../tracking/find-runs.js'), import('../tracking/registry/register-model.js')]);
  return withWorkspace(environment, (workspace) =>
    body({
      searchRuns: (search) => searchRunsByText(workspace.runs, search),
      resolveRun: (reference) => resolveRun(workspace.runs, reference),
      experimentNames: async () => new Map((await workspace.runs.listExperiments()).map((experiment) => [experiment.id, experiment.name])),
      listArtifacts: (runId, folder) => workspace.runs.listArtifacts(runId, folder),
      listModels: () => workspace.registry.listModels(),
      async modelDetail(name) {
        const model = await workspace.registry.findModel(name);
        if (model === undefined) throw new MlcycleError('not_found', `no registered model named "${name}"`);
        return { model, versions: await workspace.registry.listVersions(name) };
      },
      modelLineage: (uri) => modelLineage(workspace, uri),
    }),
  );
}

/** The `--server` option's help. */
export const SERVER_OPTION_HELP = 'read from an mlcycle server instead of the local workspace (or set MLCYCLE_SERVER; MLCYCLE_TOKEN holds its token)';
