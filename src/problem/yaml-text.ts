/**
 * Validating a YAML (or JSON) document against a validator that reports issues by field path: syntax
 * errors and validation problems alike come back as `file:line: path: message` issues, sorted by line.
 * The problem spec and tuning search spaces both read their files through it.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { InputIssue } from '../error.js';
import { yamlDocumentData } from './yaml-data.js';
import { toInputIssues, type PathSegment, type SpecIssue } from './spec-issues.js';

/** A validator of plain data: the valid value, or every issue with its path. */
export type Validator<Value> = (raw: unknown) => { value: Value; issues: [] } | { value: undefined; issues: SpecIssue[] };

/** Parses YAML text and validates it; `fileLabel` is the name issues are reported against. */
export function checkYamlText<Value>(text: string, fileLabel: string, validate: Validator<Value>): { value: Value; issues: [] } | { value: undefined; issues: InputIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return { file: fileLabel, line: position.line, column: position.col, path: '', message: `YAML: ${firstLine(error.message)}` };
    });
    return { value: undefined, issues };
  }
  const result = validate(yamlDocumentData(document, fileLabel));
  if (result.value !== undefined) return { value: result.value, issues: [] };
  const locate = (segments: PathSegment[]): Pick<InputIssue, 'file' | 'line'> => ({ file: fileLabel, ...lineOf(document, lineCounter, segments) });
  const issues = toInputIssues(result.issues, locate);
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { value: undefined, issues };
}

/** The line of the deepest node on the path that exists in the document. */
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
