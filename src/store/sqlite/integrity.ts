/** What `mlcycle doctor` asks of the SQLite database: its own integrity check and the blobs it records. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

/** SQLite's `PRAGMA integrity_check` findings; empty when it answers "ok" (https://www.sqlite.org/pragma.html#pragma_integrity_check). */
export async function databaseIntegrityProblems(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
  const findings = rows.map((row) => row.integrity_check);
  return findings.length === 1 && findings[0] === 'ok' ? [] : findings;
}

/** Every artifact blob the runs record, once per digest, with the artifact paths that use it. */
export async function recordedBlobs(db: Kysely<Database>): Promise<{ sha256: string; size: number; path: string }[]> {
  return db.selectFrom('run_artifacts').select(['sha256', 'size', 'path']).groupBy('sha256').orderBy('sha256').execute() as Promise<{ sha256: string; size: number; path: string }[]>;
}
