/**
 * Reads the text of an analysis input (JSON): syntax errors, schema problems, inconsistent arm names and
 * statistics no data could produce (consistency-issues.ts) all come back at once as issues `file:line: field.path: message`, the way `mlcycle spec check` reports them.
 * JSON is parsed with the YAML parser (JSON is YAML 1.2) to keep the position of every node.
 */
import { LineCounter, parseDocument } from 'yaml';
import { MlcycleError, type InputIssue } from '../error.js';
import { lineOf } from '../problem/yaml-text.js';
import { yamlDocumentData } from '../problem/yaml-data.js';
import { parseSpecPart, toInputIssues, type PathSegment, type SpecIssue } from '../problem/spec-issues.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import { analysisInputSchema, type AnalysisInput } from './analysis-input.js';
import { consistencyIssues } from './consistency-issues.js';
import { applySpecMetrics, type SpecMetricMerge } from './spec-metrics.js';

/**
 * The validated input, or throws an invalid-input error that lists every problem. With the workspace's spec,
 * metrics named as in its `successMetrics` take their definitions from it where the file is silent
 * (spec-metrics.ts); `fromSpec` says which fields came from the spec.
 */
export function parseAnalysisInputWithSpec(text: string, fileLabel: string, spec: Pick<ProblemSpec, 'successMetrics'> | undefined): { input: AnalysisInput; fromSpec: SpecMetricMerge['fromSpec'] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error): InputIssue => ({ file: fileLabel, line: lineCounter.linePos(error.pos[0]).line, path: '', message: `JSON: ${error.message.split('\n')[0] ?? ''}` }));
    throw new MlcycleError('invalid_input', `${fileLabel} is not valid JSON`, { issues });
  }
  const data = yamlDocumentData(document, fileLabel);
  const merged: SpecMetricMerge = spec === undefined ? { raw: data, issues: [], fromSpec: [] } : applySpecMetrics(data, spec);
  const { raw } = merged;
  const parsed = parseSpecPart(analysisInputSchema, raw);
  const references = crossReferenceIssues(raw);
  // The numbers are checked for consistency once they have the right types and refer to known arms.
  const consistency = parsed.data !== undefined && references.length === 0 && merged.issues.length === 0 ? consistencyIssues(parsed.data) : [];
  const problems = [...merged.issues, ...parsed.issues, ...references, ...consistency];
  if (problems.length > 0 || parsed.data === undefined) {
    const issues = toInputIssues(problems, (segments: PathSegment[]) => ({ file: fileLabel, ...lineOf(document, lineCounter, segments) }));
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new MlcycleError('invalid_input', `${fileLabel} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`, { issues });
  }
  return { input: parsed.data, fromSpec: merged.fromSpec };
}

/** The validated input of a file that stands alone (no spec). */
export function parseAnalysisInput(text: string, fileLabel: string): AnalysisInput {
  return parseAnalysisInputWithSpec(text, fileLabel, undefined).input;
}

/**
 * Arm names must agree everywhere: unique, the control among them, every metric (and segment) with every
 * arm. Checked on the raw document, beside the schema, so that all problems are reported at once.
 */
function crossReferenceIssues(raw: unknown): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (!isRecord(raw) || !Array.isArray(raw.arms)) return issues;
  const ids = raw.arms.map((arm: unknown) => (isRecord(arm) && typeof arm.id === 'string' ? arm.id : undefined));
  const known = ids.filter((id): id is string => id !== undefined);
  ids.forEach((id, index) => {
    if (id !== undefined && ids.indexOf(id) !== index) issues.push({ segments: ['arms', index, 'id'], message: `duplicate arm "${id}"` });
  });
  if (typeof raw.control === 'string' && !known.includes(raw.control)) {
    issues.push({ segments: ['control'], message: `"${raw.control}" is not an arm (arms: ${known.join(', ')})` });
  }
  const metrics = Array.isArray(raw.metrics) ? raw.metrics : [];
  const metricIds = metrics.map((metric: unknown) => (isRecord(metric) ? metric.id : undefined));
  metrics.forEach((metric: unknown, metricIndex: number) => {
    if (!isRecord(metric)) return;
    const check = (arms: unknown, prefix: PathSegment[]): void => {
      if (!isRecord(arms)) return;
      for (const id of known) if (!Object.hasOwn(arms, id)) issues.push({ segments: prefix, message: `missing arm "${id}"` });
      for (const id of Object.keys(arms)) if (!known.includes(id)) issues.push({ segments: [...prefix, id], message: `unknown arm (arms: ${known.join(', ')})` });
    };
    check(metric.arms, ['metrics', metricIndex, 'arms']);
    if (isRecord(metric.segments)) for (const [segment, arms] of Object.entries(metric.segments)) check(arms, ['metrics', metricIndex, 'segments', segment]);
    if (metric.role === 'guardrail' && metric.nonInferiorityMargin === undefined) {
      issues.push({ segments: ['metrics', metricIndex, 'nonInferiorityMargin'], message: 'a guardrail needs its margin (the largest tolerable harm), here or in mlcycle.yaml' });
    }
    if (metric.id !== undefined && metricIds.indexOf(metric.id) !== metricIndex) issues.push({ segments: ['metrics', metricIndex, 'id'], message: `duplicate metric "${String(metric.id)}"` });
  });
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
