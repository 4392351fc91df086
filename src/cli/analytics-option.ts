/** What several command groups open the same way: DuckDB for one command, and the workspace's valid spec. */
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';

/** Runs a body with DuckDB open, closing it afterwards; DuckDB loads only when a command needs it. */
export async function withAnalyticsEngine<T>(body: (engine: AnalyticsEngine) => Promise<T>): Promise<T> {
  const { openDuckDb } = await import('../store/duckdb/engine.js');
  const engine = await openDuckDb();
  try {
    return await body(engine);
  } finally {
    await engine.close();
  }
}

/** The workspace's mlcycle.yaml, which must exist and be valid (its problems, with their lines, otherwise). */
export async function workspaceSpec(workspace: Pick<Workspace, 'specFile'>): Promise<ProblemSpec> {
  const { loadSpec, requireValidSpec } = await import('../problem/load-spec.js');
  return requireValidSpec(await loadSpec(workspace.specFile));
}
