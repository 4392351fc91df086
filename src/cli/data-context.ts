/**
 * What the data commands work with: the workspace, a DuckDB engine and the spec (loaded on use). Data
 * commands read only the spec's data parts (problem/data-spec.ts) and warn about the rest; commands that
 * read the whole spec (evaluate) need it valid.
 */
import type { InputIssue } from '../error.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { SpecCheck } from '../problem/load-spec.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { Workspace } from '../store/workspace.js';
import type { CommandEnvironment } from './program.js';
import { withWorkspace } from './workspace-option.js';

export interface DataContext<Spec extends DataSpec = DataSpec> {
  workspace: Workspace;
  engine: AnalyticsEngine;
  /** The spec (its data parts for data commands), or undefined when the workspace has no spec file. */
  spec: Spec | undefined;
  specCheck: SpecCheck;
}

/** Runs a data command's body with the workspace, a DuckDB engine and the spec's data parts; problems elsewhere in the spec are warnings. */
export async function withDataContext<T>(environment: CommandEnvironment, body: (context: DataContext) => Promise<T>): Promise<T> {
  const [{ loadSpec }, { readDataSpec }, { formatIssue }] = await Promise.all([import('../problem/load-spec.js'), import('../problem/data-spec.js'), import('../error.js')]);
  return withEngine(environment, async (workspace) => {
    const specCheck = await loadSpec(workspace.specFile);
    const { spec, warnings } = readDataSpec(specCheck);
    if (warnings.length > 0) environment.streams.stderr(warningText(specCheck.file, warnings, formatIssue));
    return { spec, specCheck };
  }, body);
}

/** Runs a body with the workspace, a DuckDB engine and the whole spec, which must be valid. */
export async function withSpecContext<T>(environment: CommandEnvironment, body: (context: DataContext<ProblemSpec>) => Promise<T>): Promise<T> {
  const { loadSpec, requireValidSpec } = await import('../problem/load-spec.js');
  return withEngine(environment, async (workspace) => {
    const specCheck = await loadSpec(workspace.specFile);
    return { spec: specCheck.exists ? requireValidSpec(specCheck) : undefined, specCheck };
  }, body);
}

async function withEngine<Spec extends DataSpec, T>(
  environment: CommandEnvironment,
  readSpec: (workspace: Workspace) => Promise<{ spec: Spec | undefined; specCheck: SpecCheck }>,
  body: (context: DataContext<Spec>) => Promise<T>,
): Promise<T> {
  const { openDuckDb } = await import('../store/duckdb/engine.js');
  return withWorkspace(environment, async (workspace) => {
    const { spec, specCheck } = await readSpec(workspace);
    const engine = await openDuckDb();
    try {
      return await body({ workspace, engine, spec, specCheck });
    } finally {
      await engine.close();
    }
  });
}

function warningText(file: string, issues: readonly InputIssue[], formatIssue: (issue: InputIssue) => string): string {
  const count = issues.length;
  const head = `warning: ${file} is incomplete (${count} problem${count === 1 ? '' : 's'}); this command goes on without those parts (a target not written yet is no target)`;
  return `${[head, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join('\n')}\n`;
}
