/**
 * Search spaces: the distributions a tuning study draws parameters from, as Optuna defines them
 * (`optuna/distributions.py`: FloatDistribution, IntDistribution, CategoricalDistribution), plus
 * conditions: a parameter that is active only while a categorical parent takes one of given values.
 */

/** A categorical choice as a space file can write it. */
export type Choice = string | number | boolean;

/** A parameter's value in a trial: a number for numeric parameters, one of the choices for categorical ones. */
export type ParameterValue = Choice;

/** A float in [low, high]; `log` draws it uniformly in log space, `step` restricts it to low + k step. */
export interface FloatParameter {
  type: 'float';
  low: number;
  high: number;
  log: boolean;
  step?: number;
}

/** An integer in [low, high] on the grid low + k step; `log` draws it uniformly in log space (step 1). */
export interface IntParameter {
  type: 'int';
  low: number;
  high: number;
  log: boolean;
  step: number;
}

/** One of a list of choices; unordered, so samplers treat every pair of choices as equally far apart. */
export interface CategoricalParameter {
  type: 'categorical';
  choices: readonly Choice[];
}

export type Distribution = FloatParameter | IntParameter | CategoricalParameter;

/** The parameter is active only while the categorical parameter `parent` takes one of `values`. */
export interface Condition {
  parent: string;
  values: readonly Choice[];
}

export type Parameter = Distribution & { condition?: Condition };

/** Parameters by name, in sampling order: a parent comes before the parameters it conditions. */
export type SearchSpace = Readonly<Record<string, Parameter>>;

/** The parameters a trial with these values so far would use: those without a condition or whose condition holds. */
export function isActive(parameter: Parameter, params: Readonly<Record<string, ParameterValue>>): boolean {
  const condition = parameter.condition;
  if (condition === undefined) return true;
  const parentValue = params[condition.parent];
  return parentValue !== undefined && condition.values.includes(parentValue);
}

/** The value as samplers store it: the choice's index for categorical parameters, the number otherwise (Optuna's `to_internal_repr`). */
export function toInternal(distribution: Distribution, value: ParameterValue): number {
  return distribution.type === 'categorical' ? distribution.choices.indexOf(value) : Number(value);
}

/** The value a trial sees for a stored number: the choice at that index, or the number itself. */
export function fromInternal(distribution: Distribution, internal: number): ParameterValue {
  if (distribution.type !== 'categorical') return internal;
  const choice = distribution.choices[internal];
  if (choice === undefined) throw new RangeError(`choice index ${internal} outside 0..${distribution.choices.length - 1}`);
  return choice;
}

/** Snaps a number to the distribution's grid and clips it into [low, high], rounding as numpy does. */
export function snapToGrid(distribution: FloatParameter | IntParameter, x: number): number {
  const { low, high } = distribution;
  const step = distribution.type === 'int' ? (distribution.log ? 1 : distribution.step) : distribution.step;
  if (step === undefined) return x;
  const origin = distribution.type === 'int' && distribution.log ? 0 : low;
  return Math.min(Math.max(roundHalfEven((x - origin) / step) * step + origin, low), high);
}

/** numpy's `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  return Math.abs(x % 1) === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** Whether a value lies in the distribution (on its grid, within bounds, among its choices). */
export function contains(distribution: Distribution, value: ParameterValue): boolean {
  if (distribution.type === 'categorical') return distribution.choices.includes(value);
  if (typeof value !== 'number' || value < distribution.low || value > distribution.high) return false;
  if (distribution.type === 'int') return Number.isInteger(value) && (value - distribution.low) % distribution.step === 0;
  if (distribution.step === undefined) return true;
  const steps = (value - distribution.low) / distribution.step;
  return Math.abs(steps - Math.round(steps)) < 1e-8;
}
