/** What `mlcycle doctor` asks of the SQLite database: its own integrity check and the files it records. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** SQLite's `PRAGMA integrity_check` findings; empty when it answers "ok" (https://www.sqlite.org/pragma.html#pragma_integrity_check). */
export async function databaseIntegrityProblems(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
  const findings = rows.map((row) => row.integrity_check);
  return findings.length === 1 && findings[0] === 'ok' ? [] : findings;
}

/** A content-addressed blob some record points to: its digest, size and what uses it. */
export interface RecordedBlob {
  sha256: string;
  size: number;
  /** The first record that uses it, for the message ("run artifact model/model.json", "pipeline step fit"). */
  usedBy: string;
}

/**
 * Every blob a record points to, once per digest: run artifacts and the pipeline step cache's outputs
 * (both live in the content-addressed `blobs/` area).
 */
export async function recordedBlobs(db: Kysely<Database>): Promise<RecordedBlob[]> {
  const byDigest = new Map<string, RecordedBlob>();
  const artifacts = await db.selectFrom('run_artifacts').select(['sha256', 'size', 'path']).orderBy('sha256').orderBy('path').execute();
  for (const row of artifacts) if (!byDigest.has(row.sha256)) byDigest.set(row.sha256, { sha256: row.sha256, size: Number(row.size), usedBy: `run artifact "${row.path}"` });
  const steps = await db.selectFrom('pipeline_steps').select(['step', 'outputs']).orderBy('cache_key').execute();
  for (const row of steps) {
    const outputs = JSON.parse(row.outputs) as Record<string, { sha256: string; size: number }>;
    for (const [name, output] of Object.entries(outputs)) {
      if (!byDigest.has(output.sha256)) byDigest.set(output.sha256, { sha256: output.sha256, size: output.size, usedBy: `output "${name}" of pipeline step "${row.step}"` });
    }
  }
  return [...byDigest.values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0));
}

/** A keyed artifact some record points to (a dataset's Parquet file, a profile, an evaluation), with its size when recorded. */
export interface RecordedArtifact {
  key: string;
  size: number | null;
  usedBy: string;
}

/** Every keyed artifact outside `blobs/` that a record points to, once per key. */
export async function recordedArtifacts(db: Kysely<Database>): Promise<RecordedArtifact[]> {
  const byKey = new Map<string, RecordedArtifact>();
  const add = (key: string, size: number | null, usedBy: string) => {
    if (!byKey.has(key)) byKey.set(key, { key, size, usedBy });
  };
  const versions = await db.selectFrom('dataset_versions').select(['dataset', 'number', 'artifact_key', 'byte_size']).orderBy('id').execute();
  for (const row of versions) add(row.artifact_key, Number(row.byte_size), `dataset ${row.dataset} version ${row.number}`);
  const profiles = await db.selectFrom('dataset_profiles').select(['id', 'artifact_key']).orderBy('id').execute();
  for (const row of profiles) add(row.artifact_key, null, `dataset profile ${row.id}`);
  const evaluations = await db.selectFrom('evaluations').select(['id', 'artifact_key', 'report_key']).orderBy('id').execute();
  for (const row of evaluations) {
    add(row.artifact_key, null, `evaluation ${row.id}`);
    add(row.report_key, null, `report of evaluation ${row.id}`);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
