/**
 * Reading `mlcycle.yaml` from disk: YAML syntax errors and spec problems alike come back as issues with
 * the file, the line and the field path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { MlcycleError, type InputIssue } from '../error.js';
import { toInputIssues, type PathSegment } from './spec-issues.js';
import type { ProblemSpec } from './spec-schema.js';
import { validateSpec } from './validate-spec.js';

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
    text = await readFile(file, 'utf8');
  } catch (error) {
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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return { file: fileLabel, line: position.line, column: position.col, path: '', message: `YAML: ${firstLine(error.message)}` };
    });
    return { text, hash, spec: undefined, issues };
  }
  const result = validateSpec(document.toJS());
  if (result.spec !== undefined) return { text, hash, spec: result.spec, issues: [] };
  const locate = (segments: PathSegment[]): Pick<InputIssue, 'file' | 'line'> => ({
    file: fileLabel,
    ...lineOf(document, lineCounter, segments),
  });
  const issues = toInputIssues(result.issues, locate);
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { text, hash, spec: undefined, issues };
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

/** The line of the deepest node on the path that exists in the document (YAML or JSON). */
export function lineOf(document: Document, lineCounter: LineCounter, segments: PathSegment[]): { line?: number } {
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(segments.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range !== undefined) return { line: lineCounter.linePos(range[0]).line };
  }
  return {};
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
