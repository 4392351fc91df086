/**
 * A workspace: the folder holding `mlcycle.yaml` and the `.mlcycle/` state beside it (the SQLite metadata
 * database and the artifacts folder). Opening one brings its schema up to date and audits the upgrade.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { MlcycleError } from '../error.js';
import { atOneInstant, type AuditLog, type ChangeContext } from './audit-log.js';
import { LocalArtifactStore, type ArtifactStore } from './artifact-store.js';
import type { DatasetStore } from './dataset-store.js';
import type { EvaluationStore } from './evaluation-store.js';
import type { EventReader, EventWriter, EventWriterOptions } from './event-store.js';
import { SegmentEventReader, SegmentEventWriter } from './local-events/segment-event-store.js';
import { SqliteEvaluationStore } from './sqlite/evaluation-store.js';
import type { ReferenceStore } from './reference-store.js';
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
import type { ModelRegistry } from './model-registry.js';
import type { MetricStore, RunStore } from './run-store.js';
import { migrateDatabase } from './sqlite/migrate.js';
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
  evaluations: EvaluationStore;
  /** The literature survey's references and their linked runs. */
  references: ReferenceStore;
  /** Design documents, versioned. */
  designs: DesignStore;
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
  if (created) {
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

async function connect(paths: WorkspacePaths, context: ChangeContext, fresh: boolean): Promise<Workspace> {
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
    db,
    audit: new SqliteAuditLog(db),
    specHistory: new SqliteSpecHistory(db),
    datasets: new SqliteDatasetStore(db),
    profiles: new SqliteProfileStore(db),
    artifacts: new LocalArtifactStore(paths.artifactsDir),
    runs: new SqliteRunStore(db, connection),
    metrics: new SqliteMetricStore(db, connection),
    registry: new SqliteModelRegistry(db),
    webhooks: new SqliteWebhookStore(db),
    evaluations: new SqliteEvaluationStore(db),
    references: new SqliteReferenceStore(db),
    designs: new SqliteDesignStore(db),
    studies,
    events: new SegmentEventReader(paths.eventsDir),
    openEventWriter: (options) => SegmentEventWriter.open(paths.eventsDir, options),
    stepCache: new SqliteStepCacheStore(db),
    close: async () => {
      studies.close();
      await db.destroy();
    },
  };
}
