/**
 * Reading `mlcycle.yaml` from disk: YAML syntax errors and spec problems alike come back as issues with
 * the file, the line and the field path.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { MlcycleError, type InputIssue } from '../error.js';
import { readInputText } from '../input-file.js';
import type { ProblemSpec } from './spec-schema.js';
import { validateSpec } from './validate-spec.js';
import { checkYamlText } from './yaml-text.js';

export const SPEC_FILE_NAME = 'mlcycle.yaml';

/** What reading a spec file found: no file, or a file with its validated spec or its problems. */
export type SpecCheck =
  | { file: string; exists: false }
  | { file: string; exists: true; text: string; hash: string; spec: ProblemSpec; issues: [] }
  | { file: string; exists: true; text: string; hash: string; spec: undefined; issues: InputIssue[] };

/** Reads and validates a spec file. A missing file is a result, not an error; the caller decides. */
export async function loadSpec(file: string): Promise<SpecCheck> {
  let text: string;
  try {
    text = await readInputText(file, 'spec');
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false };
    throw new MlcycleError('invalid_input', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { file, exists: true, ...checkSpecText(text, path.basename(file)) };
}

/** Parses and validates spec text; `fileLabel` is the name issues are reported against. */
export function checkSpecText(
  text: string,
  fileLabel: string,
): { text: string; hash: string; spec: ProblemSpec; issues: [] } | { text: string; hash: string; spec: undefined; issues: InputIssue[] } {
  const hash = createHash('sha256').update(text).digest('hex');
  const result = checkYamlText(text, fileLabel, (raw) => {
    const validation = validateSpec(raw);
    return validation.spec === undefined ? { value: undefined, issues: validation.issues } : { value: validation.spec, issues: [] };
  });
  return result.value === undefined ? { text, hash, spec: undefined, issues: result.issues } : { text, hash, spec: result.value, issues: [] };
}

/** Throws the spec's problems as one invalid-input error, or returns the valid spec. */
export function requireValidSpec(check: SpecCheck): ProblemSpec {
  if (!check.exists) throw new MlcycleError('not_found', `no spec at ${check.file}: run \`mlcycle init\` first`);
  if (check.spec === undefined) {
    const count = check.issues.length;
    throw new MlcycleError('invalid_input', `${check.file} has ${count} problem${count === 1 ? '' : 's'}`, { issues: check.issues });
  }
  return check.spec;
}
