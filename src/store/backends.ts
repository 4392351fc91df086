/**
 * The backends a stage opens on its own, outside a workspace: the one place below the CLI, server and
 * demo that picks them (with workspace.ts, which opens the metadata database). A stage asks for an
 * interface of store/ here and never imports a backend folder, so a second backend changes only store/.
 */
import type { AnalyticsEngine } from './analytics.js';
import { SqliteStudyStore } from './sqlite/study-store.js';
import type { StudyStore } from './study-store.js';

/**
 * The study store of a workspace's metadata database, on its own: what a tuning worker (a thread, or a
 * process on another machine sharing the file) opens for the study a job names.
 */
export function openStudyStore(databaseFile: string): StudyStore {
  return new SqliteStudyStore(databaseFile);
}

/** An analytics engine (DuckDB in-process), loaded on first use: it is large, and most commands never query data. */
export async function openAnalyticsEngine(): Promise<AnalyticsEngine> {
  const { openDuckDb } = await import('./duckdb/engine.js');
  return openDuckDb();
}
