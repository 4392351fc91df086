/**
 * An online experiment's definition (`mlcycle experiment create NAME --file EXPERIMENT.yaml`): which
 * requests it takes (the endpoint a client calls, targeting on request attributes, coverage, a namespace
 * range that keeps experiments on one namespace mutually exclusive), how units are split (arms with
 * weights, GrowthBook's version-2 hash with a seed), what each arm serves (a model version or alias, or a
 * stated default decision: the "no model" arm), and how outcomes are attributed (a window after the unit's
 * first exposure, and an optional pre-exposure window for CUPED). Problems come back as `file:line: path`
 * issues, like the spec's; a targeting expression that does not parse names its column.
 */
import { z } from 'zod';
import { MlcycleError, type InputIssue } from '../error.js';
import { parseSpecPart, type SpecIssue } from '../problem/spec-issues.js';
import { checkYamlText } from '../problem/yaml-text.js';
import { parseExpression } from './expression.js';

/** The seed of the holdout every experiment shares unless it names its own. */
export const GLOBAL_HOLDOUT_SEED = 'mlcycle-holdout';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold only letters, digits, _, . and -');

const ArmSchema = z
  .strictObject({
    id: identifier,
    /** A model reference: NAME, NAME@ALIAS or NAME/VERSION. */
    model: z.string().min(1).optional(),
    /** The "no model" arm: the decision (and score) answered without a model. */
    default: z.strictObject({ decision: z.union([z.literal(0), z.literal(1)]), score: z.number().optional() }).optional(),
    /** 0 keeps an arm defined but empty (a rollout's baseline at 100%). */
    weight: z.number().gte(0).lte(1),
  })
  .refine((arm) => (arm.model === undefined) !== (arm.default === undefined), { message: 'give an arm either a model (NAME@ALIAS) or a default decision, not both' });

export const ExperimentDefinitionSchema = z.strictObject({
  description: z.string().optional(),
  /** The model name clients call (`POST /api/v1/predict/ENDPOINT`); the experiment decides which arm answers. */
  endpoint: identifier,
  arms: z.array(ArmSchema).min(2),
  /** The control arm; the first arm by default. */
  control: identifier.optional(),
  /** The share of eligible units that enter the experiment, in (0, 1]. */
  coverage: z.number().gt(0).lte(1).default(1),
  /** Targeting on the request's attributes and inputs, e.g. `origin_region in ["South", "West"]`. */
  targeting: z.string().min(1).optional(),
  /** Experiments on one namespace with disjoint ranges never share a unit. */
  namespace: z.strictObject({ id: identifier, start: z.number().gte(0).lt(1), end: z.number().gt(0).lte(1) }).optional(),
  /**
   * A holdout: units whose hash under the holdout's seed falls below `share` get the endpoint's default
   * model in this experiment. Experiments that name the same seed (the default, `mlcycle-holdout`) hold out
   * the same units: a global holdout that measures everything shipped against nothing shipped.
   */
  holdout: z.strictObject({ share: z.number().gt(0).lt(1), seed: z.string().min(1).default(GLOBAL_HOLDOUT_SEED) }).optional(),
  /** The hash seed; the experiment's name by default. Changing it reshuffles every unit. */
  seed: z.string().min(1).optional(),
  /** The attribute that identifies a unit; the spec's `randomizationUnit` by default. */
  unit: identifier.optional(),
  /** Outcomes count when they arrive within this many hours of the unit's first exposure. */
  attributionHours: z.number().positive().default(72),
  /** With a pre-exposure window, each metric's same values in the window before exposure are its CUPED covariate. */
  preExposureHours: z.number().positive().optional(),
  /** The spec segment whose attribute splits the effects; the spec's first segment by default, null for none. */
  segment: z.union([identifier, z.null()]).optional(),
  /**
   * Shadow mode: a model that scores every request the experiment takes, without acting; its predictions
   * are logged beside the acting model's (named `shadow`, same request id) for comparison.
   */
  shadow: z.string().min(1).optional(),
  /** Sequential testing (valid at every look), on by default: results may be watched continuously. */
  sequential: z.boolean().default(true),
});

export type ExperimentDefinition = z.output<typeof ExperimentDefinitionSchema>;
export type ExperimentArm = ExperimentDefinition['arms'][number];

const WEIGHT_TOLERANCE = 1e-9;

/** Validates a definition given as plain data (YAML or JSON). */
export function validateExperimentDefinition(raw: unknown): { value: ExperimentDefinition; issues: [] } | { value: undefined; issues: SpecIssue[] } {
  const shape = parseSpecPart(ExperimentDefinitionSchema, raw);
  if (shape.data === undefined) return { value: undefined, issues: shape.issues };
  const definition = shape.data;
  const issues: SpecIssue[] = [];
  const total = definition.arms.reduce((sum, arm) => sum + arm.weight, 0);
  if (Math.abs(total - 1) > WEIGHT_TOLERANCE) issues.push({ segments: ['arms'], message: `the arms' weights sum to ${round(total)}; they must sum to 1` });
  const seen = new Set<string>();
  definition.arms.forEach((arm, index) => {
    if (seen.has(arm.id)) issues.push({ segments: ['arms', index, 'id'], message: `arm "${arm.id}" appears twice` });
    seen.add(arm.id);
  });
  if (definition.control !== undefined && !seen.has(definition.control)) issues.push({ segments: ['control'], message: `"${definition.control}" is not an arm (arms: ${[...seen].join(', ')})` });
  if (definition.namespace !== undefined && definition.namespace.start >= definition.namespace.end) {
    issues.push({ segments: ['namespace', 'end'], message: `must be above start (${definition.namespace.start})` });
  }
  if (definition.targeting !== undefined) {
    try {
      parseExpression(definition.targeting, 'targeting');
    } catch (error) {
      if (!(error instanceof MlcycleError)) throw error;
      issues.push({ segments: ['targeting'], message: error.message.replace(/^targeting: /, '') });
    }
  }
  return issues.length > 0 ? { value: undefined, issues } : { value: definition, issues: [] };
}

/** Reads a definition file's text; every problem carries the file and line. */
export function parseExperimentDefinition(text: string, fileLabel: string): ExperimentDefinition {
  const result = checkYamlText(text, fileLabel, validateExperimentDefinition);
  if (result.value === undefined) throw definitionError(fileLabel, result.issues);
  return result.value;
}

/** Validates a stored or API-given definition (no file: paths only). */
export function checkExperimentDefinition(raw: unknown, label = 'experiment definition'): ExperimentDefinition {
  const result = validateExperimentDefinition(raw);
  if (result.value === undefined) throw definitionError(label, result.issues.map((issue) => ({ path: formatSegments(issue.segments), message: issue.message })));
  return result.value;
}

function definitionError(label: string, issues: InputIssue[]): MlcycleError {
  const first = issues[0];
  const where = first === undefined ? '' : `${first.line === undefined ? '' : `line ${first.line}: `}${first.path === '' ? '' : `${first.path}: `}${first.message}`;
  return new MlcycleError('invalid_input', `${label} has ${issues.length} problem${issues.length === 1 ? '' : 's'}${where === '' ? '' : ` (${where})`}`, { issues });
}

function formatSegments(segments: readonly (string | number)[]): string {
  return segments.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`)).join('');
}

/** The control arm: the one named, else the first. */
export function controlArm(definition: ExperimentDefinition): string {
  return definition.control ?? (definition.arms[0] as ExperimentArm).id;
}

/** The hash seed: the one given, else the experiment's name. */
export function hashSeed(name: string, definition: ExperimentDefinition): string {
  return definition.seed ?? name;
}

/** Whether two definitions split units differently, so that a running experiment needs a new phase. */
export function changesAssignment(before: ExperimentDefinition, after: ExperimentDefinition): boolean {
  const split = (definition: ExperimentDefinition) =>
    JSON.stringify([definition.endpoint, definition.arms.map((arm) => [arm.id, arm.weight, arm.model ?? null, arm.default ?? null]), definition.targeting ?? null, definition.namespace ?? null, definition.seed ?? null, definition.unit ?? null, definition.holdout ?? null]);
  return split(before) !== split(after);
}

function round(value: number): string {
  return String(Math.round(value * 1e9) / 1e9);
}
