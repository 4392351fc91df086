/**
 * The search-space file of `mlcycle tune --space FILE` (YAML or JSON): its shape as a zod schema, and the
 * rules between fields (bounds, steps, conditions), every problem at once with its field path, e.g.
 * `space.yaml:7: parameters.dropRate.when.booster: 'gblinear' is not one of booster's choices`.
 *
 *   parameters:
 *     learningRate: { type: float, low: 0.001, high: 0.3, log: true }
 *     numLeaves: { type: int, low: 8, high: 256, log: true }
 *     minDataInLeaf: { type: int, low: 5, high: 100, step: 5 }
 *     booster: { type: categorical, choices: [gbdt, dart] }
 *     dropRate: { type: float, low: 0.05, high: 0.5, when: { booster: [dart] } }
 */
import { z } from 'zod';
import type { InputIssue } from '../../error.js';
import { parseSpecPart, type SpecIssue } from '../../problem/spec-issues.js';
import { checkYamlText } from '../../problem/yaml-text.js';
import type { Choice, Parameter, SearchSpace } from '../../optimizer/search-space.js';

const ChoiceSchema = z.union([z.string(), z.number(), z.boolean()]);
/** `when: { parent: value }` or `when: { parent: [values] }`: active while the parent takes one of the values. */
const WhenSchema = z.record(z.string(), z.union([ChoiceSchema, z.array(ChoiceSchema).min(1)]));

const FloatSchema = z.strictObject({ type: z.literal('float'), low: z.number(), high: z.number(), log: z.boolean().default(false), step: z.number().positive().optional(), when: WhenSchema.optional() });
const IntSchema = z.strictObject({ type: z.literal('int'), low: z.number().int(), high: z.number().int(), log: z.boolean().default(false), step: z.number().int().positive().default(1), when: WhenSchema.optional() });
const CategoricalSchema = z.strictObject({ type: z.literal('categorical'), choices: z.array(ChoiceSchema).min(1), when: WhenSchema.optional() });

export const SearchSpaceFileSchema = z.strictObject({
  parameters: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'parameter names are letters, digits, _ . -'), z.discriminatedUnion('type', [FloatSchema, IntSchema, CategoricalSchema])),
});

type ParameterEntry = z.output<typeof SearchSpaceFileSchema>['parameters'][string];

/** Validates a space document already read into plain data. */
export function validateSearchSpace(raw: unknown): { value: SearchSpace; issues: [] } | { value: undefined; issues: SpecIssue[] } {
  const shape = parseSpecPart(SearchSpaceFileSchema, raw);
  if (shape.data === undefined) return { value: undefined, issues: shape.issues };
  const issues: SpecIssue[] = [];
  const space: Record<string, Parameter> = {};
  for (const [name, entry] of Object.entries(shape.data.parameters)) {
    const at = (field: string, message: string, ...more: string[]): void => void issues.push({ segments: ['parameters', name, field, ...more], message });
    checkBounds(entry, at);
    const condition = checkCondition(entry, space, at);
    space[name] = toParameter(entry, condition);
  }
  if (Object.keys(space).length === 0) issues.push({ segments: ['parameters'], message: 'needs at least one parameter' });
  return issues.length > 0 ? { value: undefined, issues } : { value: space, issues: [] };
}

/** Parses and validates a space file's text; issues carry the file and line. */
export function checkSearchSpaceText(text: string, fileLabel: string): { value: SearchSpace; issues: [] } | { value: undefined; issues: InputIssue[] } {
  return checkYamlText(text, fileLabel, validateSearchSpace);
}

type Report = (field: string, message: string, ...more: string[]) => void;

function checkBounds(entry: ParameterEntry, at: Report): void {
  if (entry.type === 'categorical') {
    if (new Set(entry.choices).size !== entry.choices.length) at('choices', 'choices must be distinct');
    return;
  }
  if (entry.low > entry.high) at('high', `must be at least low (${entry.low})`);
  if (entry.log && entry.low <= 0) at('low', 'must be above 0 when log is true');
  if (entry.type === 'float' && entry.log && entry.step !== undefined) at('step', 'cannot be combined with log: true');
  if (entry.type === 'int' && entry.log && entry.step !== 1) at('step', 'must be 1 when log is true');
  const step = entry.step;
  if (step !== undefined && entry.low <= entry.high) {
    const steps = (entry.high - entry.low) / step;
    if (Math.abs(steps - Math.round(steps)) > 1e-8) at('high', `must be low plus a whole number of steps (${step})`);
  }
}

/** The condition of `when`, checked against the parameters declared before this one. */
function checkCondition(entry: ParameterEntry, earlier: Readonly<Record<string, Parameter>>, at: Report): Parameter['condition'] {
  if (entry.when === undefined) return undefined;
  const parents = Object.entries(entry.when);
  if (parents.length !== 1) {
    at('when', 'names exactly one parent parameter');
    return undefined;
  }
  const [parentName, wanted] = parents[0] as [string, Choice | Choice[]];
  const values = Array.isArray(wanted) ? wanted : [wanted];
  const parent = earlier[parentName];
  if (parent === undefined) {
    at('when', `${parentName} must be a parameter declared above this one`, parentName);
    return undefined;
  }
  if (parent.type !== 'categorical') {
    at('when', `${parentName} must be a categorical parameter`, parentName);
    return undefined;
  }
  for (const value of values) if (!parent.choices.includes(value)) at('when', `${JSON.stringify(value)} is not one of ${parentName}'s choices`, parentName);
  return { parent: parentName, values };
}

function toParameter(entry: ParameterEntry, condition: Parameter['condition']): Parameter {
  const when = condition === undefined ? {} : { condition };
  if (entry.type === 'categorical') return { type: 'categorical', choices: entry.choices, ...when };
  if (entry.type === 'int') return { type: 'int', low: entry.low, high: entry.high, log: entry.log, step: entry.step, ...when };
  return { type: 'float', low: entry.low, high: entry.high, log: entry.log, ...(entry.step === undefined ? {} : { step: entry.step }), ...when };
}
