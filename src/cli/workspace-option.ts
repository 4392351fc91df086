/**
 * Which workspace a command works on: `--dir`, else the nearest one at or above the current folder. The
 * store (SQLite, kysely) is imported when a command opens it, not when the command line is set up.
 */
import path from 'node:path';
import type { Workspace } from '../store/workspace.js';
import type { CommandEnvironment } from './program.js';

/** The folder a command should treat as the workspace root, whether or not a workspace is there. */
export async function resolveRoot(environment: CommandEnvironment): Promise<string> {
  if (environment.options.dir !== undefined) return path.resolve(environment.cwd, environment.options.dir);
  const { findWorkspaceRoot } = await import('../store/workspace.js');
  return findWorkspaceRoot(environment.cwd) ?? environment.cwd;
}

/** Opens the command's workspace; the caller closes it. */
export async function openCommandWorkspace(environment: CommandEnvironment): Promise<Workspace> {
  const root = await resolveRoot(environment);
  const { openWorkspace } = await import('../store/workspace.js');
  return openWorkspace(root, environment.context);
}

/** Runs a body with the command's workspace open, closing it afterwards. */
export async function withWorkspace<T>(environment: CommandEnvironment, body: (workspace: Workspace) => Promise<T>): Promise<T> {
  const workspace = await openCommandWorkspace(environment);
  try {
    return await body(workspace);
  } finally {
    await workspace.close();
  }
}
