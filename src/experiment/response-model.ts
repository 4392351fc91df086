/**
 * The traffic simulator's customer-response model: what customers do after a served decision, declared in
 * YAML. Each event, in order, may happen (`when`, then `probability`) and carries a value (a fixed
 * expression or a distribution with expression parameters). Expressions are the safe expression language
 * (expression.ts: no `eval`) over the row's columns, `decision`, `score`, `label` (the row's true label),
 * `segment`, `arm`, and each earlier event of the same response by name (1 when it happened, else 0; its
 * value as `NAME_value`). Segment-specific effects are plain expressions on `segment`. Each unit draws from
 * its own generator, seeded by the model's seed and the unit id, so the same seed gives the same events
 * whatever order the service answers in.
 *
 * Example (the demo's passengers):
 *   label: is_delayed
 *   segment: origin_region
 *   events:
 *     - name: alert_sent
 *       when: decision == 1
 *     - name: alert_opened
 *       when: alert_sent == 1
 *       probability: if(label == 1, 0.7, 0.4)
 *     - name: desk_wait_minutes
 *       when: label == 1
 *       value: { distribution: lognormal, mu: if(decision == 1, 2.3, 3.0), sigma: 0.6 }
 */
import { z } from 'zod';
import { MlcycleError, type InputIssue } from '../error.js';
import { parseSpecPart, type SpecIssue } from '../problem/spec-issues.js';
import { checkYamlText } from '../problem/yaml-text.js';
import { gammaVariate, standardNormal } from '../stats/random-variates.js';
import { seededRandom, type Random } from '../stats/random.js';
import { hashV2 } from './assignment.js';
import { parseExpression, type Expression } from './expression.js';

const expressionText = z.union([z.string().min(1), z.number(), z.boolean()]).transform((value) => String(value));

const DISTRIBUTIONS = {
  normal: ['mean', 'sd'],
  lognormal: ['mu', 'sigma'],
  exponential: ['mean'],
  uniform: ['low', 'high'],
  gamma: ['shape', 'scale'],
  poisson: ['mean'],
} as const;
type DistributionName = keyof typeof DISTRIBUTIONS;

const DistributionSchema = z
  .object({ distribution: z.enum(Object.keys(DISTRIBUTIONS) as [DistributionName, ...DistributionName[]]) })
  .catchall(expressionText);

const EventSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must start with a letter or _ and hold only letters, digits, _, . and -'),
  when: expressionText.optional(),
  probability: expressionText.optional(),
  value: z.union([expressionText, DistributionSchema]).optional(),
  /** Minutes after the request that the event happens (an expression; default 1). */
  delayMinutes: expressionText.optional(),
});

const ResponseModelSchema = z.strictObject({
  description: z.string().optional(),
  /** The column that holds each row's true label (1 for the positive class). */
  label: z.string().min(1).optional(),
  /** The column that gives each row's segment (exposed as `segment` and sent as a request attribute). */
  segment: z.string().min(1).optional(),
  /** The column that identifies a unit; rows are units `unit-<row number>` without one. */
  unit: z.string().min(1).optional(),
  seed: z.number().int().nonnegative().default(1),
  events: z.array(EventSchema).min(1),
});

interface CompiledEvent {
  name: string;
  when?: Expression;
  probability?: Expression;
  value?: Expression | { distribution: DistributionName; parameters: Expression[] };
  delayMinutes?: Expression;
}

export interface ResponseModel {
  label?: string;
  segment?: string;
  unit?: string;
  seed: number;
  events: CompiledEvent[];
}

/** One simulated business event. */
export interface SimulatedEvent {
  name: string;
  value: number;
  /** Minutes after the decision. */
  delayMinutes: number;
}

function compileAll(raw: z.output<typeof ResponseModelSchema>, issues: SpecIssue[]): ResponseModel {
  const compile = (source: string | undefined, path: (string | number)[]): Expression | undefined => {
    if (source === undefined) return undefined;
    const where = path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('').slice(1);
    try {
      return parseExpression(source, where);
    } catch (error) {
      if (!(error instanceof MlcycleError)) throw error;
      issues.push({ segments: path, message: error.message.slice(where.length + 2) });
      return undefined;
    }
  };
  const seen = new Set<string>();
  const events = raw.events.map((event, index): CompiledEvent => {
    const at = (field: string): (string | number)[] => ['events', index, field];
    if (seen.has(event.name)) issues.push({ segments: at('name'), message: `event "${event.name}" appears twice` });
    seen.add(event.name);
    const compiled: CompiledEvent = { name: event.name };
    const when = compile(event.when, at('when'));
    if (when !== undefined) compiled.when = when;
    const probability = compile(event.probability, at('probability'));
    if (probability !== undefined) compiled.probability = probability;
    const delay = compile(event.delayMinutes, at('delayMinutes'));
    if (delay !== undefined) compiled.delayMinutes = delay;
    if (typeof event.value === 'string') {
      const value = compile(event.value, at('value'));
      if (value !== undefined) compiled.value = value;
    } else if (event.value !== undefined) {
      const { distribution, ...given } = event.value;
      const names = DISTRIBUTIONS[distribution];
      const extra = Object.keys(given).filter((key) => !(names as readonly string[]).includes(key));
      for (const key of extra) issues.push({ segments: [...at('value'), key], message: `${distribution} takes ${names.join(' and ')}` });
      const parameters: Expression[] = [];
      for (const name of names) {
        const source = (given as Record<string, string | undefined>)[name];
        if (source === undefined) issues.push({ segments: at('value'), message: `${distribution} needs ${name}` });
        const parameter = compile(source, [...at('value'), name]);
        if (parameter !== undefined) parameters.push(parameter);
      }
      if (parameters.length === names.length) compiled.value = { distribution, parameters };
    }
    return compiled;
  });
  return { ...(raw.label === undefined ? {} : { label: raw.label }), ...(raw.segment === undefined ? {} : { segment: raw.segment }), ...(raw.unit === undefined ? {} : { unit: raw.unit }), seed: raw.seed, events };
}

/** Validates a response model given as plain data. */
export function validateResponseModel(raw: unknown): { value: ResponseModel; issues: [] } | { value: undefined; issues: SpecIssue[] } {
  const shape = parseSpecPart(ResponseModelSchema, raw);
  if (shape.data === undefined) return { value: undefined, issues: shape.issues };
  const issues: SpecIssue[] = [];
  const model = compileAll(shape.data, issues);
  return issues.length > 0 ? { value: undefined, issues } : { value: model, issues: [] };
}

/** Reads a response model file; problems carry file and line. */
export function parseResponseModel(text: string, fileLabel: string): ResponseModel {
  const result = checkYamlText(text, fileLabel, validateResponseModel);
  if (result.value === undefined) throw modelError(fileLabel, result.issues);
  return result.value;
}

function modelError(label: string, issues: InputIssue[]): MlcycleError {
  const first = issues[0];
  const where = first === undefined ? '' : ` (${first.line === undefined ? '' : `line ${first.line}: `}${first.path}: ${first.message})`;
  return new MlcycleError('invalid_input', `${label} has ${issues.length} problem${issues.length === 1 ? '' : 's'}${where}`, { issues });
}

/** The generator a unit's responses draw from: the model's seed and the unit id, nothing else. */
export function unitRandom(seed: number, unit: string): Random {
  return seededRandom(Math.floor(hashV2(`mlcycle-simulate-${seed}`, unit) * 4294967296));
}

function numberOf(value: unknown, what: string): number {
  const number = typeof value === 'boolean' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(number)) throw new MlcycleError('invalid_input', `${what} gave ${JSON.stringify(value)}, not a finite number`);
  return number;
}

function draw(random: Random, distribution: DistributionName, parameters: number[]): number {
  const [a = 0, b = 0] = parameters;
  switch (distribution) {
    case 'normal':
      return a + b * standardNormal(random);
    case 'lognormal':
      return Math.exp(a + b * standardNormal(random));
    case 'exponential':
      return -a * Math.log(1 - random());
    case 'uniform':
      return a + (b - a) * random();
    case 'gamma':
      return gammaVariate(random, a) * b;
    case 'poisson': {
      // Knuth's multiplication method; fine for the small means of business events.
      const limit = Math.exp(-a);
      let count = 0;
      let product = random();
      while (product > limit) {
        count += 1;
        product *= random();
      }
      return count;
    }
  }
}

/**
 * The events one served decision causes. `scope` holds the row's columns and `decision`, `score`, `label`,
 * `segment`, `arm`; the events' outcomes are added to it as they happen.
 */
export function respond(model: ResponseModel, scope: Record<string, unknown>, random: Random): SimulatedEvent[] {
  const out: SimulatedEvent[] = [];
  for (const event of model.events) {
    const applies = event.when === undefined || isTruthy(event.when.evaluate(scope));
    const probability = applies ? (event.probability === undefined ? 1 : numberOf(event.probability.evaluate(scope), `events ${event.name}: probability`)) : 0;
    // One uniform per event whether or not it applies, so that arms share their random numbers.
    const uniform = random();
    const happens = applies && uniform < probability;
    let value = happens ? 1 : 0;
    if (happens && event.value !== undefined) {
      value = 'evaluate' in event.value ? numberOf(event.value.evaluate(scope), `events ${event.name}: value`) : draw(random, event.value.distribution, event.value.parameters.map((parameter, index) => numberOf(parameter.evaluate(scope), `events ${event.name}: value parameter ${index + 1}`)));
    }
    scope[event.name] = happens ? 1 : 0;
    scope[`${event.name}_value`] = happens ? value : 0;
    if (!happens) continue;
    const delay = event.delayMinutes === undefined ? 1 : numberOf(event.delayMinutes.evaluate(scope), `events ${event.name}: delayMinutes`);
    out.push({ name: event.name, value, delayMinutes: Math.max(0, delay) });
  }
  return out;
}

/** The probability that an event happens for this scope (events before it taken as they are in scope). */
export function eventProbability(model: ResponseModel, name: string, scope: Record<string, unknown>): number {
  const event = model.events.find((candidate) => candidate.name === name);
  if (event === undefined) throw new MlcycleError('invalid_input', `the response model has no event "${name}"`);
  const applies = event.when === undefined || isTruthy(event.when.evaluate(scope));
  if (!applies) return 0;
  return event.probability === undefined ? 1 : Math.min(1, Math.max(0, numberOf(event.probability.evaluate(scope), `events ${name}: probability`)));
}

function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}
