/**
 * `mlcycle migrate`: moves a workspace's metadata between its SQLite file and a team's PostgreSQL, and its
 * artifacts between `.mlcycle/artifacts` and an S3-compatible object store, in either direction. Both
 * targets are checked to be empty before anything is copied; artifacts are copied first (content-addressed,
 * harmless if the metadata copy then fails), then the metadata in one transaction that is committed only
 * once every table's row count and digest match the source's. Every artifact is read back from its target
 * and its SHA-256 compared with the source file's.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { MlcycleError } from '../error.js';
import { checkMetadataTarget, copyMetadata, type TableCopy } from './copy-metadata.js';
import { isPostgresUri, migratePostgres, openPostgresDatabase } from './postgres/database.js';
import { parseS3Uri, S3ArtifactStore, s3ClientFromEnvironment } from './s3/artifact-store.js';
import { openSqliteConnection, type Database } from './sqlite/database.js';
import { onPostgres } from './sqlite/dialect.js';
import type { Workspace } from './workspace.js';

export interface MigrateOptions {
  /** `postgresql://...` (from SQLite) or `sqlite` (back from PostgreSQL into `.mlcycle/metadata.db`). */
  to?: string;
  /** `s3://bucket/prefix` (from the folder) or `files` (back from the object store into `.mlcycle/artifacts`). */
  artifacts?: string;
}

export interface MigrateResult {
  metadata?: { to: string; tables: TableCopy[] };
  artifacts?: { to: string; files: number; bytes: number };
}

/** The URI with its password replaced, for messages. */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return uri;
  }
}

async function sha256Of(stream: AsyncIterable<unknown>): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The artifact keys in a local artifacts folder (its staging area left out). */
async function localKeys(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((key) => !key.startsWith('.staging/'))
    .sort();
}

interface MetadataPlan {
  target: Kysely<Database>;
  name: string;
  close(): Promise<void>;
}

async function metadataPlan(workspace: Workspace, to: string): Promise<MetadataPlan> {
  const sourceOnPostgres = onPostgres(workspace.db);
  if (isPostgresUri(to)) {
    if (sourceOnPostgres) throw new MlcycleError('usage', '--to: this workspace keeps its metadata on PostgreSQL already (MLCYCLE_STORE); --to sqlite copies it back into .mlcycle/metadata.db');
    const target = openPostgresDatabase(to, 2);
    try {
      await migratePostgres(target);
    } catch (error) {
      await target.destroy();
      throw new MlcycleError('invalid_input', `--to ${redactUri(to)}: the database could not be opened: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { target, name: redactUri(to), close: () => target.destroy() };
  }
  if (to === 'sqlite') {
    if (!sourceOnPostgres) throw new MlcycleError('usage', '--to sqlite: this workspace keeps its metadata in .mlcycle/metadata.db already; set MLCYCLE_STORE to the PostgreSQL to copy from');
    // Opening the workspace brought the file's schema up to date; it holds only what this machine kept locally.
    const { db } = openSqliteConnection(workspace.databaseFile);
    return { target: db, name: workspace.databaseFile, close: () => db.destroy() };
  }
  throw new MlcycleError('usage', `--to: expected postgresql://user@host:port/database or sqlite, got ${JSON.stringify(to)}`);
}

interface ArtifactPlan {
  to: string;
  check(): Promise<void>;
  copy(): Promise<{ files: number; bytes: number }>;
  close(): void;
}

function artifactPlan(workspace: Workspace, artifacts: string): ArtifactPlan {
  const source = workspace.artifacts;
  if (artifacts.startsWith('s3://')) {
    if (source instanceof S3ArtifactStore) throw new MlcycleError('usage', `--artifacts: this workspace keeps its artifacts in ${source.uri} already (MLCYCLE_ARTIFACTS); --artifacts files copies them back`);
    const client = s3ClientFromEnvironment();
    const target = new S3ArtifactStore(client, parseS3Uri(artifacts), workspace.artifactsDir);
    return {
      to: target.uri,
      close: () => client.destroy(),
      check: async () => {
        const held = await target.listKeys().catch((error: unknown) => {
          throw new MlcycleError('invalid_input', `--artifacts ${artifacts}: the object store could not be listed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        });
        if (held.length > 0) throw new MlcycleError('conflict', `--artifacts ${artifacts} is not empty: it holds ${held.length} object(s), e.g. ${held[0]}; migrate into an empty bucket or prefix`);
      },
      copy: async () => {
        let bytes = 0;
        const keys = await localKeys(workspace.artifactsDir);
        for (const key of keys) {
          const file = path.join(workspace.artifactsDir, ...key.split('/'));
          const local = await sha256Of(createReadStream(file));
          const staged = await target.stagingPath(path.extname(key));
          await copyFile(file, staged);
          await target.commit(staged, key);
          const stored = await target.objectDigest(key);
          if (stored !== local.sha256) throw new MlcycleError('check_failed', `artifact ${key}: the object store holds SHA-256 ${stored.slice(0, 12)}, the file ${local.sha256.slice(0, 12)}`);
          bytes += local.bytes;
        }
        return { files: keys.length, bytes };
      },
    };
  }
  if (artifacts === 'files') {
    if (!(source instanceof S3ArtifactStore)) throw new MlcycleError('usage', '--artifacts files: this workspace keeps its artifacts in .mlcycle/artifacts already; set MLCYCLE_ARTIFACTS to the object store to copy from');
    return {
      to: workspace.artifactsDir,
      close: () => undefined,
      // The folder holds this machine's copies of the same content-addressed artifacts: nothing to refuse.
      check: async () => undefined,
      copy: async () => {
        let bytes = 0;
        const keys = await source.listKeys();
        for (const key of keys) {
          const file = await source.pull(key);
          const local = await sha256Of(createReadStream(file));
          const recorded = await source.recordedDigest(key);
          if (recorded !== undefined && recorded !== local.sha256) throw new MlcycleError('check_failed', `artifact ${key}: the local copy has SHA-256 ${local.sha256.slice(0, 12)}, ${recorded.slice(0, 12)} was recorded at upload`);
          bytes += local.bytes;
        }
        return { files: keys.length, bytes };
      },
    };
  }
  throw new MlcycleError('usage', `--artifacts: expected s3://bucket/prefix or files, got ${JSON.stringify(artifacts)}`);
}

/** Copies the workspace's metadata and/or artifacts to the targets given, verified; see the module comment. */
export async function migrateWorkspace(workspace: Workspace, options: MigrateOptions): Promise<MigrateResult> {
  if (options.to === undefined && options.artifacts === undefined) throw new MlcycleError('usage', 'give --to (the metadata target), --artifacts (the artifact target) or both');
  const metadata = options.to === undefined ? undefined : await metadataPlan(workspace, options.to);
  let artifacts: ArtifactPlan | undefined;
  try {
    artifacts = options.artifacts === undefined ? undefined : artifactPlan(workspace, options.artifacts);
    if (metadata !== undefined) await checkMetadataTarget(workspace.db, metadata.target, metadata.name);
    await artifacts?.check();
    const result: MigrateResult = {};
    if (artifacts !== undefined) result.artifacts = { to: artifacts.to, ...(await artifacts.copy()) };
    if (metadata !== undefined) result.metadata = { to: metadata.name, tables: await copyMetadata(workspace.db, metadata.target, metadata.name) };
    return result;
  } finally {
    artifacts?.close();
    await metadata?.close();
  }
}
