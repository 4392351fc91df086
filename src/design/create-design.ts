/**
 * A design file (YAML, or JSON, which YAML reads too) becomes the next version of its design. Every
 * problem is reported at once as `file:line: path: message`, as the spec and pipelines report theirs:
 * the shape, candidates naming a pipeline file that does not exist, runs that are not in the workspace.
 * Nothing is stored unless the whole file is right.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { MlcycleError, type InputIssue } from '../error.js';
import { toInputIssues, type PathSegment, type SpecIssue } from '../problem/spec-issues.js';
import { checkYamlText, lineOf } from '../problem/yaml-text.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { DesignRecord } from '../store/design-store.js';
import type { Workspace } from '../store/workspace.js';
import { designIssues, type DesignDocument } from './design-document.js';

function fail(label: string, issues: InputIssue[]): never {
  const count = issues.length;
  throw new MlcycleError('invalid_input', `${label} has ${count} problem${count === 1 ? '' : 's'}; nothing stored`, { issues });
}

/** Validates the design text against the workspace and stores it as the next version (audited design.created). */
export async function createDesign(workspace: Workspace, text: string, label: string, context: ChangeContext): Promise<DesignRecord> {
  const checked = checkYamlText<DesignDocument>(text, label, (raw) => {
    const issues = designIssues(raw);
    if (issues.length > 0) return { value: undefined, issues };
    const parsed = raw as DesignDocument;
    const missing: SpecIssue[] = parsed.candidates.flatMap((candidate, index) =>
      existsSync(path.resolve(workspace.root, candidate.pipeline)) ? [] : [{ segments: ['candidates', index, 'pipeline'], message: `no pipeline file ${candidate.pipeline}` }],
    );
    if (missing.length > 0) return { value: undefined, issues: missing };
    const document: DesignDocument = { name: parsed.name, candidates: parsed.candidates.map((candidate) => ({ ...candidate, risks: candidate.risks ?? [], runs: candidate.runs ?? [] })) };
    return { value: document, issues: [] };
  });
  if (checked.value === undefined) fail(label, checked.issues);
  const document = checked.value;
  const unknownRuns: SpecIssue[] = [];
  for (const [index, candidate] of document.candidates.entries()) {
    for (const [runIndex, run] of candidate.runs.entries()) if ((await workspace.runs.findRun(run)) === undefined) unknownRuns.push({ segments: ['candidates', index, 'runs', runIndex], message: `no run ${run}` });
  }
  if (unknownRuns.length > 0) {
    const lineCounter = new LineCounter();
    const parsed = parseDocument(text, { lineCounter });
    fail(label, toInputIssues(unknownRuns, (segments: PathSegment[]) => ({ file: label, ...lineOf(parsed, lineCounter, segments) })));
  }
  return workspace.designs.save(document.name, document, 'design.created', context);
}
