/**
 * The embedded metadata database: one SQLite file per workspace, opened with better-sqlite3 in WAL mode
 * and queried through Kysely, whose dialect list is the way to PostgreSQL later (DESIGN.md section 3).
 */
import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type Generated } from 'kysely';

export interface WorkspaceMetaTable {
  key: string;
  value: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** JSON object. */
  details: string;
  reason: string | null;
}

/** One row each time the spec's content changed; a spec that returns to an earlier text gets a new row. */
export interface SpecVersionTable {
  id: Generated<number>;
  hash: string;
  text: string;
  recorded_at: string;
  recorded_by: string;
}

export interface DatasetTable {
  name: string;
  created_at: string;
  created_by: string;
}

export interface DatasetVersionTable {
  id: Generated<number>;
  dataset: string;
  number: number;
  hash: string;
  artifact_key: string;
  row_count: number;
  byte_size: number;
  /** JSON list of ColumnSchema. */
  columns: string;
  time_column: string | null;
  /** JSON DatasetLineage. */
  lineage: string;
  created_at: string;
  created_by: string;
}

export interface DatasetValidationTable {
  id: Generated<number>;
  version_id: number;
  at: string;
  actor: string;
  passed: number;
  target_present: number;
  spec_hash: string | null;
  /** JSON list of CheckOutcome. */
  outcomes: string;
}

export interface DatasetProfileTable {
  id: Generated<number>;
  version_id: number;
  options_key: string;
  target: string | null;
  has_strawman: number;
  artifact_key: string;
  created_at: string;
  created_by: string;
}

export interface ExperimentTable {
  id: Generated<number>;
  name: string;
  lifecycle_stage: string;
  created_at: string;
  created_by: string;
}

export interface ExperimentTagTable {
  experiment_id: number;
  key: string;
  value: string;
}

export interface RunTable {
  run_key: Generated<number>;
  id: string;
  experiment_id: number;
  name: string;
  status: string;
  /** Milliseconds since the epoch, as MLflow keeps them. */
  start_time: number;
  end_time: number | null;
  parent_key: number | null;
  user_id: string;
  git_commit: string | null;
  command: string | null;
  lifecycle_stage: string;
}

export interface RunValueTable {
  run_key: number;
  key: string;
  value: string;
}

/** Points of one series appended together, as little-endian float64 arrays of equal length. */
export interface MetricChunkTable {
  id: Generated<number>;
  run_key: number;
  key: string;
  count: number;
  min_step: number;
  max_step: number;
  steps: Uint8Array;
  timestamps: Uint8Array;
  values: Uint8Array;
}

export interface LatestMetricTable {
  run_key: number;
  key: string;
  value: number | null;
  is_nan: number;
  step: number;
  timestamp: number;
}

export interface RunInputTable {
  run_key: number;
  dataset: string;
  digest: string;
  context: string;
  dataset_version_id: number | null;
  source: string | null;
  source_type: string | null;
  schema: string | null;
  profile: string | null;
}

export interface RunArtifactTable {
  run_key: number;
  path: string;
  size: number;
  sha256: string;
  logged_at: string;
}

export interface RegisteredModelTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  /** The highest version number ever given, so that a deleted version's number is not given again. */
  last_version: Generated<number>;
}

export interface ModelVersionTable {
  id: Generated<number>;
  model_id: number;
  version: number;
  run_key: number;
  source: string;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  stage: Generated<string>;
}

export interface ModelTagTable {
  model_id: number;
  key: string;
  value: string;
}

export interface ModelVersionTagTable {
  version_id: number;
  key: string;
  value: string;
}

export interface ModelAliasTable {
  model_id: number;
  alias: string;
  version_id: number;
}

export interface RegistryEventTable {
  id: Generated<number>;
  at: string;
  actor: string;
  type: string;
  model: string;
  version: number | null;
  /** JSON object. */
  details: string;
}

export interface WebhookTable {
  id: Generated<number>;
  url: string;
  /** JSON list of event types; empty for every event. */
  events: string;
  secret: string;
  active: number;
  created_at: string;
  created_by: string;
}

export interface WebhookDeliveryTable {
  id: Generated<number>;
  webhook_id: number;
  event_id: number;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string;
  updated_at: string;
}

export interface EvaluationTable {
  id: Generated<number>;
  model_version_id: number;
  champion_version_id: number | null;
  dataset_version_id: number;
  task: string;
  ready: number;
  summary: string;
  /** JSON EvaluationSummary. */
  metrics: string;
  artifact_key: string;
  report_key: string;
  created_at: string;
  created_by: string;
}

export interface TuningStudyTable {
  id: Generated<number>;
  name: string;
  direction: string;
  /** JSON SearchSpace. */
  space: string;
  /** JSON sampler, pruner and objective settings. */
  sampler: string;
  pruner: string;
  objective: string;
  parent_run_id: string | null;
  revision: number;
  created_at: string;
  created_by: string;
}

export interface TuningTrialTable {
  study_id: number;
  number: number;
  state: string;
  /** JSON object of parameter values. */
  params: string;
  value: number | null;
  attributes: string;
  /** `host:pid` of the process that asked for the trial. */
  owner: string;
  run_id: string | null;
  started_at: number;
  finished_at: number | null;
  revision: number;
}

export interface TuningTrialValueTable {
  study_id: number;
  number: number;
  step: number;
  value: number | null;
}

export interface OnlineExperimentTable {
  id: Generated<number>;
  name: string;
  state: string;
  /** JSON. */
  definition: string;
  phase: number;
  revision: number;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface OnlineExperimentPhaseTable {
  experiment_id: number;
  phase: number;
  /** JSON. */
  definition: string;
  started_at: string;
  ended_at: string | null;
}

export interface OnlineExperimentAnalysisTable {
  id: Generated<number>;
  experiment_id: number;
  phase: number;
  decision: string;
  summary: string;
  decided: number;
  /** JSON. */
  result: string;
  created_at: string;
  created_by: string;
}

export interface RolloutTable {
  id: Generated<number>;
  name: string;
  /** JSON. */
  plan: string;
  state: string;
  step: number;
  step_started_at: string;
  /** JSON list of transitions. */
  history: string;
  created_at: string;
  updated_at: string;
}

export interface PipelineStepTable {
  cache_key: string;
  step: string;
  code_version: string;
  /** JSON with sorted keys (stableJson), as the cache key hashes them. */
  params: string;
  inputs: string;
  outputs: string;
  summary: string;
  seconds: number;
  run_id: string | null;
  created_at: string;
  created_by: string;
}

/** The tables of the latest schema, as Kysely sees them. */
/** Who holds a background loop across servers, until when (milliseconds since the epoch). */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** The shared event log's records (store/postgres/event-store.ts); columns as EVENT_COLUMNS. */
export interface SharedEventTable {
  seq: Generated<number>;
  type: string;
  time: string;
  unit: string | null;
  request_id: string | null;
  model: string | null;
  version: number | null;
  score: number | null;
  scores: string | null;
  decision: number | null;
  latency_ms: number | null;
  inputs: string | null;
  inputs_digest: string | null;
  name: string | null;
  value: number | null;
  idempotency_key: string | null;
  experiment: string | null;
  phase: number | null;
  arm: string | null;
  attributes: string | null;
}

export interface Database {
  events: SharedEventTable;
  leases: LeaseTable;
  workspace_meta: WorkspaceMetaTable;
  audit_log: AuditLogTable;
  spec_versions: SpecVersionTable;
  datasets: DatasetTable;
  dataset_versions: DatasetVersionTable;
  dataset_validations: DatasetValidationTable;
  dataset_profiles: DatasetProfileTable;
  experiments: ExperimentTable;
  experiment_tags: ExperimentTagTable;
  runs: RunTable;
  run_params: RunValueTable;
  run_tags: RunValueTable;
  metric_chunks: MetricChunkTable;
  latest_metrics: LatestMetricTable;
  run_inputs: RunInputTable;
  run_artifacts: RunArtifactTable;
  registered_models: RegisteredModelTable;
  model_versions: ModelVersionTable;
  registered_model_tags: ModelTagTable;
  model_version_tags: ModelVersionTagTable;
  model_aliases: ModelAliasTable;
  registry_events: RegistryEventTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  evaluations: EvaluationTable;
  tuning_studies: TuningStudyTable;
  tuning_trials: TuningTrialTable;
  tuning_trial_values: TuningTrialValueTable;
  pipeline_steps: PipelineStepTable;
  online_experiments: OnlineExperimentTable;
  online_experiment_phases: OnlineExperimentPhaseTable;
  online_experiment_analyses: OnlineExperimentAnalysisTable;
  rollouts: RolloutTable;
  survey_references: SurveyReferenceTable;
  survey_reference_links: SurveyReferenceLinkTable;
  designs: DesignTable;
  monitor_results: MonitorResultTable;
  incidents: IncidentTable;
  logged_models: LoggedModelTable;
  logged_model_outputs: LoggedModelOutputTable;
  logged_model_inputs: LoggedModelInputTable;
}

export interface MonitorResultTable {
  id: Generated<number>;
  monitor: string;
  at: string;
  alerting: number;
  /** JSON report. */
  report: string;
}

export interface IncidentTable {
  id: Generated<number>;
  source: string;
  dedupe_key: string;
  title: string;
  severity: string;
  state: string;
  owner: string | null;
  on_call: string | null;
  occurrences: number;
  opened_at: string;
  updated_at: string;
  note: string | null;
}

export interface LoggedModelTable {
  id: string;
  experiment_id: string;
  name: string;
  source_run_id: string;
  model_type: string | null;
  status: string;
  status_message: string | null;
  lifecycle_stage: string;
  /** JSON objects (params, tags) and a JSON list of metric points. */
  params: string;
  tags: string;
  metrics: string;
  /** Milliseconds since the epoch. */
  created_at: number;
  updated_at: number;
  created_by: string;
}

export interface LoggedModelInputTable {
  id: Generated<number>;
  run_id: string;
  model_id: string;
}

export interface LoggedModelOutputTable {
  id: Generated<number>;
  run_id: string;
  model_id: string;
  step: number;
}

export interface DesignTable {
  name: string;
  version: number;
  body: string;
  created_at: string;
  created_by: string;
}

export interface SurveyReferenceTable {
  key: string;
  /** The reference as JSON (reference-store.ts's NewReference). */
  body: string;
  created_at: string;
  created_by: string;
}

export interface SurveyReferenceLinkTable {
  id: Generated<number>;
  reference_key: string;
  run_id: string;
  relation: string;
  linked_at: string;
  linked_by: string;
}

/**
 * SQLite runs DDL inside transactions, but Kysely's SQLite adapter says it does not; saying it does makes
 * the migrator run all pending migrations in one transaction, so a failed migration leaves the old schema.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Transactions take the write lock when they begin (`BEGIN IMMEDIATE`). A deferred transaction that reads
 * and then writes cannot wait for the lock in WAL mode: when another connection (a tuning worker thread or
 * process sharing the file) wrote in between, SQLite fails it at once with SQLITE_BUSY. Taking the lock
 * first makes it wait for up to `busy_timeout` instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class MlcycleSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(settings);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

/** A metadata database as Kysely sees it, and the better-sqlite3 connection beneath for hot paths. */
export interface SqliteConnection {
  db: Kysely<Database>;
  connection: Sqlite.Database;
}

/** Opens (or creates) a metadata database file, keeping the raw connection for prepared bulk writes. */
export function openSqliteConnection(file: string): SqliteConnection {
  const connection = new Sqlite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // 64 MB of page cache (the default is 16 MB): a million-point metric history is 24 MB of chunks.
  connection.pragma('cache_size = -65536');
  return { db: new Kysely<Database>({ dialect: new MlcycleSqliteDialect({ database: connection }) }), connection };
}

/** Opens (or creates) a metadata database file. */
export function openSqliteDatabase(file: string): Kysely<Database> {
  return openSqliteConnection(file).db;
}
