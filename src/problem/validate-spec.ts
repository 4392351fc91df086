/**
 * Validation of a problem spec already read into plain data: the shape (zod) and the rules between fields,
 * all problems at once.
 */
import { parseSpecPart, type SpecIssue } from './spec-issues.js';
import { checkSpecRules } from './spec-rules.js';
import { ProblemSpecSchema, VALUE_MODEL_SCHEMAS, type ProblemSpec } from './spec-schema.js';

export type SpecValidation = { spec: ProblemSpec; issues: [] } | { spec: undefined; issues: SpecIssue[] };

/** Validates a spec document; on success the spec has its defaults filled in. */
export function validateSpec(raw: unknown): SpecValidation {
  const shape = parseSpecPart(ProblemSpecSchema, raw);
  const issues = dedupe([...shape.issues, ...checkSpecRules(raw)]);
  if (shape.data === undefined || issues.length > 0) return { spec: undefined, issues };
  const { valueModel, ...rest } = shape.data;
  if (valueModel === undefined) return { spec: rest, issues: [] };
  // The rules checked the value model against the task's schema; this parse only fills in its defaults.
  const parsed = VALUE_MODEL_SCHEMAS[rest.task].parse(valueModel);
  return { spec: { ...rest, valueModel: parsed }, issues: [] };
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.segments, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
