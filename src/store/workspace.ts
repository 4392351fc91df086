/**
 * A workspace: the folder holding `mlcycle.yaml` and the `.mlcycle/` state beside it (the SQLite metadata
 * database and the artifacts folder). Opening one brings its schema up to date and audits the upgrade.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type Sqlite from 'better-sqlite3';
import { MlcycleError } from '../error.js';
import { atOneInstant, type AuditLog, type ChangeContext } from './audit-log.js';
import { LocalArtifactStore, type ArtifactStore } from './artifact-store.js';
import type { DatasetStore } from './dataset-store.js';
import type { EvaluationStore } from './evaluation-store.js';
import type { OnlineExperimentStore } from './online-experiment-store.js';
import type { RolloutStore } from './rollout-store.js';
import type { EventReader, EventWriter, EventWriterOptions } from './event-store.js';
import { SegmentEventReader, SegmentEventWriter } from './local-events/segment-event-store.js';
import { SqliteEvaluationStore } from './sqlite/evaluation-store.js';
import { SqliteOnlineExperimentStore } from './sqlite/online-experiment-store.js';
import type { MonitorStore } from './monitor-store.js';
import { SqliteMonitorStore } from './sqlite/monitor-store.js';
import { SqliteRolloutStore } from './sqlite/rollout-store.js';
import type { ReferenceStore } from './reference-store.js';
import type { LoggedModelStore } from './logged-model-store.js';
import { SqliteLoggedModelStore } from './sqlite/logged-model-store.js';
import { SqliteReferenceStore } from './sqlite/reference-store.js';
import type { DesignStore } from './design-store.js';
import { SqliteDesignStore } from './sqlite/design-store.js';
import type { ProfileStore } from './profile-store.js';
import { SqliteProfileStore } from './sqlite/profile-store.js';
import type { SpecHistory } from './spec-history.js';
import { SqliteDatasetStore } from './sqlite/dataset-store.js';
import { appendAuditEntry, SqliteAuditLog } from './sqlite/audit-log.js';
import { openSqliteConnection, type Database } from './sqlite/database.js';
import { databaseFileError } from './sqlite/database-file-error.js';
import { SqliteMetricStore } from './sqlite/metric-store.js';
import { SqliteRunStore } from './sqlite/run-store.js';
import { SqliteModelRegistry } from './sqlite/model-registry.js';
import { SqliteWebhookStore } from './sqlite/webhook-store.js';
import type { WebhookStore } from './webhook-store.js';
import type { LeaseStore } from './lease-store.js';
import { SqlLeaseStore } from './sqlite/lease-store.js';
import type { ModelRegistry } from './model-registry.js';
import type { MetricStore, RunStore } from './run-store.js';
import { migrateDatabase } from './sqlite/migrate.js';
import { parseS3Uri, S3ArtifactStore, s3ClientFromEnvironment } from './s3/artifact-store.js';
import { isPostgresUri, migratePostgres, openPostgresDatabase } from './postgres/database.js';
import { SharedEventReader, SharedEventWriter } from './postgres/event-store.js';
import { SqliteSpecHistory } from './sqlite/spec-history.js';
import { SqliteStepCacheStore } from './sqlite/step-cache-store.js';
import { openStudyStore } from './backends.js';
import type { StepCacheStore } from './step-cache-store.js';
import type { StudyStore } from './study-store.js';

export const STATE_DIR_NAME = '.mlcycle';
const DATABASE_FILE_NAME = 'metadata.db';
const ARTIFACTS_DIR_NAME = 'artifacts';
const EVENTS_DIR_NAME = 'events';

export interface WorkspacePaths {
  root: string;
  specFile: string;
  stateDir: string;
  databaseFile: string;
  artifactsDir: string;
  /** The embedded event log's folder. */
  eventsDir: string;
}

export interface Workspace extends WorkspacePaths {
  /** @internal The SQLite database behind the stores below; code outside `store/` goes through the stores. */
  db: Kysely<Database>;
  audit: AuditLog;
  specHistory: SpecHistory;
  datasets: DatasetStore;
  profiles: ProfileStore;
  artifacts: ArtifactStore;
  runs: RunStore;
  metrics: MetricStore;
  registry: ModelRegistry;
  webhooks: WebhookStore;
  /** Leases that give each background loop to one server at a time. */
  leases: LeaseStore;
  evaluations: EvaluationStore;
  /** Online experiments (A/B tests), their phases and stored analyses. */
  experiments: OnlineExperimentStore;
  /** Rollouts: plans, states, steps and their transitions. */
  rollouts: RolloutStore;
  /** The literature survey's references and their linked runs. */
  references: ReferenceStore;
  /** Design documents, versioned. */
  designs: DesignStore;
  /** Monitoring: each check's results over time, and the incidents alerts open. */
  monitors: MonitorStore;
  /** MLflow 3's logged models and the runs that output them. */
  loggedModels: LoggedModelStore;
  /** Tuning studies and their trials. */
  studies: StudyStore;
  /** The pipeline step cache's entries. */
  stepCache: StepCacheStore;
  /** The event log, for reading; the prediction service opens its writer. */
  events: EventReader;
  /** Opens the event log for appending (one writer per log at a time: a held log is a conflict). */
  openEventWriter(options?: EventWriterOptions): Promise<EventWriter>;
  close(): Promise<void>;
}

/** The paths of a workspace rooted at a folder, whether or not it exists yet. */
export function workspacePaths(root: string): WorkspacePaths {
  const absolute = path.resolve(root);
  const stateDir = path.join(absolute, STATE_DIR_NAME);
  return {
    root: absolute,
    specFile: path.join(absolute, 'mlcycle.yaml'),
    stateDir,
    databaseFile: path.join(stateDir, DATABASE_FILE_NAME),
    artifactsDir: path.join(stateDir, ARTIFACTS_DIR_NAME),
    eventsDir: path.join(stateDir, EVENTS_DIR_NAME),
  };
}

/** The nearest folder at or above `start` that holds a workspace, as git finds its repository. */
export function findWorkspaceRoot(start: string): string | undefined {
  let current = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(current, STATE_DIR_NAME, DATABASE_FILE_NAME))) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Opens an existing workspace; applies and audits pending schema migrations. */
export async function openWorkspace(root: string, context: ChangeContext): Promise<Workspace> {
  const paths = workspacePaths(root);
  if (!existsSync(paths.databaseFile)) {
    throw new MlcycleError('not_found', `no mlcycle workspace at ${paths.root}: run \`mlcycle init\` there first`);
  }
  return connect(paths, context, false);
}

/** Creates the workspace's state folder and database, or opens them if they exist. Never deletes anything. */
export async function createWorkspace(root: string, name: string, context: ChangeContext): Promise<{ workspace: Workspace; created: boolean }> {
  const paths = workspacePaths(root);
  const created = !existsSync(paths.databaseFile);
  await mkdir(paths.artifactsDir, { recursive: true });
  const workspace = await connect(paths, context, created);
  // On a shared PostgreSQL, a second machine's `init` joins the workspace another one created.
  const named = await workspace.db.selectFrom('workspace_meta').select('value').where('key', '=', 'name').executeTakeFirst();
  if (named === undefined) {
    const instant = atOneInstant(context);
    await workspace.db.transaction().execute(async (trx) => {
      const at = instant.now().toISOString();
      await trx
        .insertInto('workspace_meta')
        .values([
          { key: 'name', value: name },
          { key: 'created_at', value: at },
          { key: 'created_by', value: context.actor },
        ])
        .execute();
      await appendAuditEntry(trx, { action: 'workspace.created', subject: 'workspace', details: { name, root: paths.root } }, instant);
    });
  }
  return { workspace, created };
}

/**
 * Where a workspace keeps its metadata: the SQLite file in `.mlcycle/` (the default), or a team's
 * PostgreSQL named by `MLCYCLE_STORE=postgresql://user@host:port/database`. On PostgreSQL the tuning
 * studies' trials stay in the local SQLite file (their store is synchronous); everything else is shared.
 */
export function metadataStoreUri(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const uri = environment.MLCYCLE_STORE?.trim();
  if (uri === undefined || uri === '' || uri === 'sqlite') return undefined;
  if (!isPostgresUri(uri)) {
    throw new MlcycleError('invalid_input', `MLCYCLE_STORE=${JSON.stringify(uri)}: expected postgresql://user@host:port/database, or sqlite (the default)`);
  }
  return uri;
}

/**
 * Where a workspace keeps its artifacts: `.mlcycle/artifacts` (the default), or an S3-compatible object
 * store named by `MLCYCLE_ARTIFACTS=s3://bucket/prefix` (endpoint and keys from the standard AWS
 * variables), with `.mlcycle/artifacts` then holding this machine's local copies.
 */
export function artifactStoreUri(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const uri = environment.MLCYCLE_ARTIFACTS?.trim();
  if (uri === undefined || uri === '' || uri === 'files') return undefined;
  parseS3Uri(uri);
  return uri;
}

async function connect(paths: WorkspacePaths, context: ChangeContext, fresh: boolean): Promise<Workspace> {
  const artifactsUri = artifactStoreUri();
  const local = await connectLocal(paths, context, fresh);
  if (artifactsUri !== undefined) {
    const client = s3ClientFromEnvironment();
    local.artifacts = new S3ArtifactStore(client, parseS3Uri(artifactsUri), paths.artifactsDir);
    const closeLocal = local.close;
    local.close = async () => {
      client.destroy();
      await closeLocal();
    };
  }
  const uri = metadataStoreUri();
  if (uri === undefined) return local;
  const db = openPostgresDatabase(uri);
  try {
    const { applied } = await migratePostgres(db);
    const named = await db.selectFrom('workspace_meta').select('value').where('key', '=', 'name').executeTakeFirst();
    if (applied.length > 0 && named !== undefined) {
      await appendAuditEntry(db, { action: 'store.migrated', subject: 'metadata', details: { applied } }, context);
    }
  } catch (error) {
    await db.destroy();
    await local.close();
    const message = error instanceof Error ? error.message : String(error);
    throw new MlcycleError('invalid_input', `MLCYCLE_STORE: the PostgreSQL metadata store could not be opened: ${message}`, { cause: error });
  }
  return {
    ...local,
    ...metadataStores(db, null),
    // Every service replica of a team workspace appends to the one log in PostgreSQL.
    events: new SharedEventReader(db),
    openEventWriter: async (options) => new SharedEventWriter(db, options),
    close: async () => {
      await db.destroy();
      await local.close();
    },
  };
}

/**
 * The stores that live in the metadata database, on one Kysely instance whatever its dialect: both the
 * local SQLite workspace and the PostgreSQL one take them from here, so a new store cannot be left out of
 * either. `connection` is better-sqlite3 beneath SQLite (the run and metric stores' fast path), null else.
 */
function metadataStores(db: Kysely<Database>, connection: Sqlite.Database | null) {
  return {
    db,
    audit: new SqliteAuditLog(db),
    specHistory: new SqliteSpecHistory(db),
    datasets: new SqliteDatasetStore(db),
    profiles: new SqliteProfileStore(db),
    runs: new SqliteRunStore(db, connection),
    metrics: new SqliteMetricStore(db, connection),
    registry: new SqliteModelRegistry(db),
    webhooks: new SqliteWebhookStore(db),
    leases: new SqlLeaseStore(db),
    evaluations: new SqliteEvaluationStore(db),
    experiments: new SqliteOnlineExperimentStore(db),
    rollouts: new SqliteRolloutStore(db),
    references: new SqliteReferenceStore(db),
    designs: new SqliteDesignStore(db),
    monitors: new SqliteMonitorStore(db),
    loggedModels: new SqliteLoggedModelStore(db),
    stepCache: new SqliteStepCacheStore(db),
  };
}

async function connectLocal(paths: WorkspacePaths, context: ChangeContext, fresh: boolean): Promise<Workspace> {
  const { db, connection } = (() => {
    try {
      return openSqliteConnection(paths.databaseFile);
    } catch (error) {
      throw databaseFileError(paths.databaseFile, error);
    }
  })();
  try {
    const { applied } = await migrateDatabase(db);
    if (applied.length > 0 && !fresh) {
      await appendAuditEntry(db, { action: 'store.migrated', subject: 'metadata', details: { applied } }, context);
    }
  } catch (error) {
    await db.destroy();
    throw databaseFileError(paths.databaseFile, error);
  }
  const studies = openStudyStore(paths.databaseFile);
  return {
    ...paths,
    ...metadataStores(db, connection),
    artifacts: new LocalArtifactStore(paths.artifactsDir),
    studies,
    events: new SegmentEventReader(paths.eventsDir),
    openEventWriter: (options) => SegmentEventWriter.open(paths.eventsDir, options),
    close: async () => {
      studies.close();
      await db.destroy();
    },
  };
}
