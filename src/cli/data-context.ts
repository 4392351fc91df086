/** What the data commands work with: the workspace, a DuckDB engine and the valid spec (loaded on use). */
import type { SpecCheck } from '../problem/load-spec.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';
import type { CommandEnvironment } from './program.js';
import { withWorkspace } from './workspace-option.js';

export interface DataContext {
  workspace: Workspace;
  engine: AnalyticsEngine;
  /** The valid spec, or undefined when the workspace has no spec file. */
  spec: ProblemSpec | undefined;
  specCheck: SpecCheck;
}

/** Runs a body with the workspace, a DuckDB engine and the spec; an invalid spec is an error. */
export async function withDataContext<T>(environment: CommandEnvironment, body: (context: DataContext) => Promise<T>): Promise<T> {
  const [{ loadSpec, requireValidSpec }, { openDuckDb }] = await Promise.all([import('../problem/load-spec.js'), import('../store/duckdb/engine.js')]);
  return withWorkspace(environment, async (workspace) => {
    const specCheck = await loadSpec(workspace.specFile);
    const spec = specCheck.exists ? requireValidSpec(specCheck) : undefined;
    const engine = await openDuckDb();
    try {
      return await body({ workspace, engine, spec, specCheck });
    } finally {
      await engine.close();
    }
  });
}

