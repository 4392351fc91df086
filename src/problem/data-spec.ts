/**
 * The parts of the spec that data commands (add, list, show, head, diff, suggest-checks, validate,
 * split, derive, explore) read: the task, the target, the dataset declarations and the exploration
 * thresholds. Profiling data before the problem statement is written is normal, so a spec whose other
 * parts are incomplete or wrong does not stop these commands: those problems come back as warnings, and
 * only a problem in a part the command reads stops it. A target whose column is not filled in yet (the
 * template's `column: ""`) is incomplete, not wrong: the commands go on without a target.
 */
import { parseDocument } from 'yaml';
import { MlcycleError, type InputIssue } from '../error.js';
import type { SpecCheck } from './load-spec.js';
import { parseSpecPart } from './spec-issues.js';
import { OwnersSchema, ProblemSpecSchema, TargetSchema, type ProblemSpec } from './spec-schema.js';
import { yamlDocumentData } from './yaml-data.js';

/** What data commands know of the spec; a complete ProblemSpec is one. */
export type DataSpec = Pick<ProblemSpec, 'task' | 'datasets' | 'exploration'> & {
  /** Undefined while the spec's target column is not written yet. */
  target?: ProblemSpec['target'];
  owners?: ProblemSpec['owners'];
};

/** The top-level fields a data command reads; a problem at or under one of them stops the command. */
const DATA_PARTS = ['task', 'target', 'datasets', 'exploration'];

/**
 * The data commands' view of a checked spec: undefined without a spec file; the spec's problems outside
 * the data parts as warnings; throws when a data part (or the YAML itself) has a problem.
 */
export function readDataSpec(check: SpecCheck): { spec: DataSpec | undefined; warnings: InputIssue[] } {
  if (!check.exists) return { spec: undefined, warnings: [] };
  if (check.spec !== undefined) return { spec: check.spec, warnings: [] };
  const blocking = check.issues.filter((issue) => readsPart(issue) && !isUnwrittenTarget(issue));
  if (blocking.length > 0) {
    const count = blocking.length;
    throw new MlcycleError('invalid_input', `${check.file} has ${count} problem${count === 1 ? '' : 's'} in the parts this command reads (task, target, datasets, exploration)`, { issues: blocking });
  }
  const raw = yamlDocumentData(parseDocument(check.text), check.file) as Record<string, unknown>;
  const { shape } = ProblemSpecSchema;
  const task = parseSpecPart(shape.task, raw.task).data;
  const datasets = parseSpecPart(shape.datasets, raw.datasets).data;
  const exploration = parseSpecPart(shape.exploration, raw.exploration).data;
  // The blocking filter let through only problems outside these parts, so they parse; the guard keeps the types honest.
  if (task === undefined || datasets === undefined || exploration === undefined) {
    throw new MlcycleError('invalid_input', `${check.file} has ${check.issues.length} problem(s)`, { issues: check.issues });
  }
  const target = parseSpecPart(TargetSchema, raw.target).data;
  const owners = parseSpecPart(OwnersSchema, raw.owners ?? {}).data;
  return {
    spec: { task, datasets, exploration, ...(target === undefined ? {} : { target }), ...(owners === undefined ? {} : { owners }) },
    warnings: check.issues,
  };
}

function readsPart(issue: InputIssue): boolean {
  if (issue.path === '') return true;
  return DATA_PARTS.some((part) => issue.path === part || issue.path.startsWith(`${part}.`) || issue.path.startsWith(`${part}[`));
}

/** The target, or its column, left empty or out: the template's state before anyone fills it in. */
function isUnwrittenTarget(issue: InputIssue): boolean {
  return (issue.path === 'target' || issue.path === 'target.column') && issue.message.startsWith('required');
}
