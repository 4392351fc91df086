/**
 * A typed TypeScript client for mlcycle's REST API (/api/v1, docs/api.md), fetch-based, with methods
 * named after the library's: `createClient({ url, token })`, then `client.createRun(...)`,
 * `client.logBatch(...)`, `client.searchRuns(...)`, `client.registerModel(...)`, `client.resolveModelUri(...)`.
 */
import type {
  ApiLineage,
  ApiMetricHistory,
  ApiMetricPoint,
  ApiModelDetail,
  ApiRun,
  ApiRunPage,
  ApiSpec,
  ArtifactEntry,
  Experiment,
  ModelCard,
  ModelVersion,
  RegisteredModel,
  RegistryEvent,
  RunArtifact,
  Webhook,
  WebhookDelivery,
  ApiServedVersion,
} from '../server/api/api-types.js';
import type { AuditEntry } from '../store/audit-log.js';
import type { DatasetValidation, DatasetVersion } from '../store/dataset-store.js';
import type { EvaluationRecord } from '../store/evaluation-store.js';
import type { RolloutRecord } from '../store/rollout-store.js';
import type { Incident, IncidentState, MonitorResult } from '../store/monitor-store.js';
import type { ReferenceRecord } from '../store/reference-store.js';
import type { DesignRecord } from '../store/design-store.js';
import type { MonitorSpec } from '../problem/spec-schema.js';
import type { OnlineExperimentRecord, StoredExperimentAnalysis } from '../store/online-experiment-store.js';
import type { Board } from '../problem/board.js';
import type { RunInput, RunStatus } from '../store/run-store.js';
import type { DeliveryState } from '../store/webhook-store.js';
import { parseModelUri } from '../tracking/registry/model-uri.js';
import { HttpTransport, segment, type ClientOptions } from './http.js';

export interface NewRunRequest {
  /** An experiment name (created if new), or `experimentId`. */
  experiment?: string;
  experimentId?: string;
  name?: string;
  tags?: Record<string, string>;
  parentRunId?: string;
  /** Milliseconds since the epoch; the server's time when absent. */
  startTime?: number;
  gitCommit?: string;
  command?: string;
}

export interface RunSearchRequest {
  experiments?: string[];
  experimentIds?: string[];
  /** The filter language: MLflow's plus OR, parentheses and IN. */
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  lifecycle?: 'active' | 'deleted' | 'all';
}

export interface RunInputRequest {
  /** An mlcycle dataset version, `flights@2`; or `name` and `digest` for an outside dataset. */
  ref?: string;
  name?: string;
  digest?: string;
  source?: string;
  context?: string;
}

export class MlcycleClient {
  private readonly http: HttpTransport;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
  }

  /** The server's base URL. */
  get url(): string {
    return this.http.baseUrl;
  }

  // The lifecycle.
  /** The caller's token name (null without tokens) and whether it may write. */
  async session(): Promise<{ user: string | null; access: 'read' | 'write' }> {
    return (await this.http.json<{ session: { user: string | null; access: 'read' | 'write' } }>('GET', '/api/v1/session')).session;
  }
  /** The board: the ten stages with state, evidence and next step (`mlcycle status`). */
  async board(): Promise<Board> {
    return (await this.http.json<{ board: Board }>('GET', '/api/v1/board')).board;
  }
  /** The audit log, newest first; `action` keeps the actions starting with it (`spec.`). */
  async auditLog(query: { limit?: number; action?: string } = {}): Promise<AuditEntry[]> {
    return (await this.http.json<{ entries: AuditEntry[] }>('GET', '/api/v1/audit', { query })).entries;
  }

  // The problem spec and the data.
  /** The workspace's problem spec: its text and, when valid, the parsed spec; else its issues by line. */
  async spec(): Promise<ApiSpec> {
    return (await this.http.json<{ spec: ApiSpec }>('GET', '/api/v1/spec')).spec;
  }
  async listDatasets(): Promise<{ name: string; versions: number; latest: DatasetVersion }[]> {
    return (await this.http.json<{ datasets: { name: string; versions: number; latest: DatasetVersion }[] }>('GET', '/api/v1/datasets')).datasets;
  }
  /** A dataset's versions, newest first as the store lists them, each with its latest validation (null when never validated). */
  async getDataset(name: string): Promise<{ dataset: string; versions: { version: DatasetVersion; validation: DatasetValidation | null }[] }> {
    return this.http.json('GET', `/api/v1/datasets/${segment(name)}`);
  }

  // Offline evaluations.
  /** Stored evaluations, newest first: candidate, champion, dataset version, verdict and metrics. */
  async listEvaluations(): Promise<EvaluationRecord[]> {
    return (await this.http.json<{ evaluations: EvaluationRecord[] }>('GET', '/api/v1/evaluations')).evaluations;
  }
  async getEvaluation(id: number): Promise<EvaluationRecord> {
    return (await this.http.json<{ evaluation: EvaluationRecord }>('GET', `/api/v1/evaluations/${id}`)).evaluation;
  }

  // Rollouts.
  async listRollouts(): Promise<RolloutRecord[]> {
    return (await this.http.json<{ rollouts: RolloutRecord[] }>('GET', '/api/v1/rollouts')).rollouts;
  }
  async getRollout(name: string): Promise<RolloutRecord> {
    return (await this.http.json<{ rollout: RolloutRecord }>('GET', `/api/v1/rollouts/${segment(name)}`)).rollout;
  }
  /** Moves a rollout by hand, as `mlcycle rollout advance|pause|resume|rollback`; The actor is the token's name when the server has tokens. */
  async moveRollout(name: string, verb: 'advance' | 'pause' | 'resume' | 'rollback'): Promise<RolloutRecord> {
    return (await this.http.json<{ rollout: RolloutRecord }>('POST', `/api/v1/rollouts/${segment(name)}/${verb}`)).rollout;
  }

  // Literature survey and design (stages 4 and 5).
  /** The survey's references, by key, with their reported results and linked runs. */
  async listReferences(): Promise<ReferenceRecord[]> {
    return (await this.http.json<{ references: ReferenceRecord[] }>('GET', '/api/v1/references')).references;
  }
  /** The latest version of every design document. */
  async listDesigns(): Promise<DesignRecord[]> {
    return (await this.http.json<{ designs: DesignRecord[] }>('GET', '/api/v1/designs')).designs;
  }
  /** A design document, its latest version or the one named. */
  async getDesign(name: string, version?: number): Promise<DesignRecord> {
    return (await this.http.json<{ design: DesignRecord }>('GET', `/api/v1/designs/${segment(name)}`, version === undefined ? {} : { query: { version } })).design;
  }

  // Serving (stage 8), from the event log.
  /** Per model and version: predictions, failures, alert rate, latency quantiles; and predictions per hour. */
  async serving(): Promise<{ versions: ApiServedVersion[]; hourly: { model: string; version: number; hour: string; predictions: number }[] }> {
    return this.http.json('GET', '/api/v1/serving');
  }

  // Monitors and incidents.
  /** The spec's monitors, each with its newest stored window (null before the first run). */
  async listMonitors(): Promise<(MonitorSpec & { last: MonitorResult | null })[]> {
    return (await this.http.json<{ monitors: (MonitorSpec & { last: MonitorResult | null })[] }>('GET', '/api/v1/monitors')).monitors;
  }
  /** A monitor's stored windows, newest first (each `report` a WindowReport). */
  async monitorResults(name: string, limit = 100): Promise<MonitorResult[]> {
    return (await this.http.json<{ results: MonitorResult[] }>('GET', `/api/v1/monitors/${segment(name)}/results`, { query: { limit } })).results;
  }
  /** Incidents, newest first; only those in the given states when named. */
  async listIncidents(states?: readonly IncidentState[]): Promise<Incident[]> {
    return (await this.http.json<{ incidents: Incident[] }>('GET', '/api/v1/incidents', states === undefined ? {} : { query: { state: states.join(',') } })).incidents;
  }
  /** Acknowledges or resolves an incident, as `mlcycle incidents ack|resolve`. */
  async moveIncident(id: number, verb: 'ack' | 'resolve', note?: string): Promise<Incident> {
    return (await this.http.json<{ incident: Incident }>('POST', `/api/v1/incidents/${id}/${verb}`, { json: note === undefined ? {} : { note } })).incident;
  }

  // Online experiments (A/B tests).
  async listOnlineExperiments(): Promise<OnlineExperimentRecord[]> {
    return (await this.http.json<{ experiments: OnlineExperimentRecord[] }>('GET', '/api/v1/online-experiments')).experiments;
  }
  /** An online experiment with its latest stored analysis (null before the first). */
  async getOnlineExperiment(name: string): Promise<{ experiment: OnlineExperimentRecord; latestAnalysis: StoredExperimentAnalysis | null }> {
    return this.http.json('GET', `/api/v1/online-experiments/${segment(name)}`);
  }

  // Experiments.
  async listExperiments(): Promise<Experiment[]> {
    return (await this.http.json<{ experiments: Experiment[] }>('GET', '/api/v1/experiments')).experiments;
  }
  async createExperiment(name: string, tags: Record<string, string> = {}): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('POST', '/api/v1/experiments', { json: { name, tags } })).experiment;
  }
  async getExperiment(id: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('GET', `/api/v1/experiments/${segment(id)}`)).experiment;
  }
  async renameExperiment(id: string, name: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('PATCH', `/api/v1/experiments/${segment(id)}`, { json: { name } })).experiment;
  }
  async deleteExperiment(id: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('DELETE', `/api/v1/experiments/${segment(id)}`)).experiment;
  }
  async restoreExperiment(id: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('PATCH', `/api/v1/experiments/${segment(id)}`, { json: { lifecycleStage: 'active' } })).experiment;
  }
  async setExperimentTag(id: string, key: string, value: string): Promise<Experiment> {
    return (await this.http.json<{ experiment: Experiment }>('PUT', `/api/v1/experiments/${segment(id)}/tags/${segment(key)}`, { json: { value } })).experiment;
  }

  // Runs.
  async createRun(run: NewRunRequest): Promise<ApiRun> {
    return (await this.http.json<{ run: ApiRun }>('POST', '/api/v1/runs', { json: run })).run;
  }
  async getRun(id: string): Promise<ApiRun> {
    return (await this.http.json<{ run: ApiRun }>('GET', `/api/v1/runs/${segment(id)}`)).run;
  }
  async searchRuns(search: RunSearchRequest = {}): Promise<ApiRunPage> {
    return this.http.json<ApiRunPage>('POST', '/api/v1/runs/search', { json: search });
  }
  /** Ends a run with a final status (FINISHED by default). */
  async endRun(id: string, status: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'> = 'FINISHED', endTime?: number): Promise<ApiRun> {
    return (await this.http.json<{ run: ApiRun }>('PATCH', `/api/v1/runs/${segment(id)}`, { json: { status, ...(endTime === undefined ? {} : { endTime }) } })).run;
  }
  async deleteRun(id: string): Promise<ApiRun> {
    return (await this.http.json<{ run: ApiRun }>('DELETE', `/api/v1/runs/${segment(id)}`)).run;
  }
  async restoreRun(id: string): Promise<ApiRun> {
    return (await this.http.json<{ run: ApiRun }>('POST', `/api/v1/runs/${segment(id)}/restore`)).run;
  }
  /** Params, tags and metric points in one request, stored all together or not at all. */
  async logBatch(id: string, batch: { params?: Record<string, string>; tags?: Record<string, string>; metrics?: ApiMetricPoint[] }): Promise<void> {
    await this.http.json('POST', `/api/v1/runs/${segment(id)}/log`, { json: batch });
  }
  async logMetric(id: string, key: string, value: number, step = 0, timestamp?: number): Promise<void> {
    const point: ApiMetricPoint = { key, value: Number.isFinite(value) ? value : (String(value) as 'NaN'), step, ...(timestamp === undefined ? {} : { timestamp }) };
    await this.logBatch(id, { metrics: [point] });
  }
  async logParams(id: string, params: Record<string, string | number | boolean>): Promise<void> {
    await this.logBatch(id, { params: Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)])) });
  }
  async setTags(id: string, tags: Record<string, string>): Promise<void> {
    await this.logBatch(id, { tags });
  }
  async deleteTag(id: string, key: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/runs/${segment(id)}/tags/${segment(key)}`);
  }
  async logInputs(id: string, inputs: RunInputRequest[]): Promise<RunInput[]> {
    return (await this.http.json<{ inputs: RunInput[] }>('POST', `/api/v1/runs/${segment(id)}/inputs`, { json: { inputs } })).inputs;
  }
  /** A metric's history cut to at most `maxPoints` points that keep each bucket's minimum and maximum. */
  async metricHistory(id: string, key: string, options: { maxPoints?: number } = {}): Promise<ApiMetricHistory> {
    return this.http.json<ApiMetricHistory>('GET', `/api/v1/runs/${segment(id)}/metrics/${segment(key)}`, { query: { maxPoints: options.maxPoints } });
  }
  async listArtifacts(id: string, folder = ''): Promise<ArtifactEntry[]> {
    return (await this.http.json<{ artifacts: ArtifactEntry[] }>('GET', `/api/v1/runs/${segment(id)}/artifacts`, { query: { path: folder === '' ? undefined : folder } })).artifacts;
  }
  async downloadArtifact(id: string, path: string): Promise<Uint8Array> {
    const response = await this.http.send('GET', `/api/v1/runs/${segment(id)}/artifacts/content`, { query: { path } });
    return new Uint8Array(await response.arrayBuffer());
  }
  async uploadArtifact(id: string, path: string, bytes: Uint8Array): Promise<RunArtifact> {
    const response = await this.http.send('PUT', `/api/v1/runs/${segment(id)}/artifacts/content`, { query: { path }, bytes });
    return ((await response.json()) as { artifact: RunArtifact }).artifact;
  }

  // The model registry.
  async listModels(): Promise<RegisteredModel[]> {
    return (await this.http.json<{ models: RegisteredModel[] }>('GET', '/api/v1/models')).models;
  }
  async createModel(name: string, options: { description?: string; tags?: Record<string, string> } = {}): Promise<RegisteredModel> {
    return (await this.http.json<{ model: RegisteredModel }>('POST', '/api/v1/models', { json: { name, ...options } })).model;
  }
  /** A model with its versions, newest first. */
  async getModel(name: string): Promise<ApiModelDetail> {
    return this.http.json<ApiModelDetail>('GET', `/api/v1/models/${segment(name)}`);
  }
  async setModelDescription(name: string, description: string): Promise<ApiModelDetail> {
    return this.http.json<ApiModelDetail>('PATCH', `/api/v1/models/${segment(name)}`, { json: { description } });
  }
  async setModelTag(name: string, key: string, value: string): Promise<ApiModelDetail> {
    return this.http.json<ApiModelDetail>('PUT', `/api/v1/models/${segment(name)}/tags/${segment(key)}`, { json: { value } });
  }
  async deleteModel(name: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/models/${segment(name)}`);
  }
  /** Adds a version of a model (created if new) from a run's artifact (`path`, default `model`). */
  async registerModel(options: { name: string; runId: string; path?: string; description?: string; tags?: Record<string, string> }): Promise<ModelVersion> {
    const { name, ...rest } = options;
    return (await this.http.json<{ version: ModelVersion }>('POST', `/api/v1/models/${segment(name)}/versions`, { json: rest })).version;
  }
  async getModelVersion(name: string, version: number | 'latest'): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('GET', `/api/v1/models/${segment(name)}/versions/${segment(version)}`)).version;
  }
  async setVersionTag(name: string, version: number, key: string, value: string): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('PUT', `/api/v1/models/${segment(name)}/versions/${version}/tags/${segment(key)}`, { json: { value } })).version;
  }
  async deleteModelVersion(name: string, version: number): Promise<void> {
    await this.http.json('DELETE', `/api/v1/models/${segment(name)}/versions/${version}`);
  }
  async setModelAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('PUT', `/api/v1/models/${segment(name)}/aliases/${segment(alias)}`, { json: { version } })).version;
  }
  async deleteModelAlias(name: string, alias: string): Promise<void> {
    await this.http.json('DELETE', `/api/v1/models/${segment(name)}/aliases/${segment(alias)}`);
  }
  /** The version `models:/name@alias`, `models:/name/3` or `models:/name/latest` names. */
  async resolveModelUri(uri: string): Promise<ModelVersion> {
    return (await this.http.json<{ version: ModelVersion }>('GET', this.versionPath(uri))).version;
  }
  /** Version, run, dataset versions and their sources. */
  async modelLineage(uri: string): Promise<ApiLineage> {
    return this.http.json<ApiLineage>('GET', `${await this.numberedVersionPath(uri)}/lineage`);
  }
  async modelCard(uri: string): Promise<ModelCard> {
    return (await this.http.json<{ card: ModelCard }>('GET', `${await this.numberedVersionPath(uri)}/card`)).card;
  }
  async modelCardMarkdown(uri: string): Promise<string> {
    return (await this.http.send('GET', `${await this.numberedVersionPath(uri)}/card`, { query: { format: 'markdown' } })).text();
  }
  async listRegistryEvents(query: { afterId?: number; limit?: number } = {}): Promise<RegistryEvent[]> {
    return (await this.http.json<{ events: RegistryEvent[] }>('GET', '/api/v1/registry/events', { query })).events;
  }

  // Webhooks.
  /** Adds a webhook; the answer holds the signing secret, shown this once. */
  async addWebhook(options: { url: string; events?: string[]; secret?: string }): Promise<{ webhook: Webhook; secret: string }> {
    return this.http.json<{ webhook: Webhook; secret: string }>('POST', '/api/v1/webhooks', { json: options });
  }
  async listWebhooks(): Promise<Webhook[]> {
    return (await this.http.json<{ webhooks: Webhook[] }>('GET', '/api/v1/webhooks')).webhooks;
  }
  async removeWebhook(id: number): Promise<void> {
    await this.http.json('DELETE', `/api/v1/webhooks/${id}`);
  }
  async listWebhookDeliveries(query: { webhookId?: number; state?: DeliveryState; limit?: number } = {}): Promise<WebhookDelivery[]> {
    return (await this.http.json<{ deliveries: WebhookDelivery[] }>('GET', '/api/v1/webhook-deliveries', { query })).deliveries;
  }

  private versionPath(uri: string): string {
    const { model, choice } = parseModelUri(uri);
    if ('alias' in choice) return `/api/v1/models/${segment(model)}/aliases/${segment(choice.alias)}`;
    return `/api/v1/models/${segment(model)}/versions/${'latest' in choice ? 'latest' : choice.version}`;
  }

  /** The version path by number, resolving an alias first (lineage and cards hang off numbered versions). */
  private async numberedVersionPath(uri: string): Promise<string> {
    const { model, choice } = parseModelUri(uri);
    const version = 'version' in choice ? choice.version : (await this.resolveModelUri(uri)).version;
    return `/api/v1/models/${segment(model)}/versions/${version}`;
  }
}

/** A client for an mlcycle server: `createClient({ url: 'http://127.0.0.1:5000', token })`. */
export function createClient(options: ClientOptions): MlcycleClient {
  return new MlcycleClient(options);
}
