/**
 * `mlcycle init`: a spec to edit and a workspace to keep state in. Running it again creates what is missing
 * and leaves everything that exists as it is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChangeContext } from '../store/audit-log.js';
import { createWorkspace, type Workspace } from '../store/workspace.js';
import { specTemplate, toSpecName } from './spec-template.js';

export interface InitOutcome {
  workspace: Workspace;
  workspaceCreated: boolean;
  specWritten: boolean;
}

export interface InitOptions {
  /** The project's name; defaults to the folder's name. */
  name?: string;
  /** The spec to write when there is none; defaults to the commented template. */
  specText?: string;
  context: ChangeContext;
}

/** Creates the spec (unless one exists) and the workspace (unless it exists). */
export async function initProject(root: string, options: InitOptions): Promise<InitOutcome> {
  const absolute = path.resolve(root);
  const name = toSpecName(options.name ?? path.basename(absolute));
  await mkdir(absolute, { recursive: true });
  const { workspace, created } = await createWorkspace(absolute, name, options.context);
  const specWritten = await writeIfAbsent(workspace.specFile, options.specText ?? specTemplate(name));
  if (specWritten) {
    await workspace.audit.append({ action: 'spec.written', subject: 'mlcycle.yaml', details: { file: workspace.specFile } }, options.context);
  }
  return { workspace, workspaceCreated: created, specWritten };
}

/** Writes a new file; returns false, touching nothing, when the file exists. */
async function writeIfAbsent(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
