/**
 * Assignment of units to arms exactly as GrowthBook's SDKs do it (growthbook/growthbook, packages/sdk-js
 * src/util.ts and GrowthBook.ts `_run`), so that a team can move between the two without reshuffling users:
 *   - the version-2 hash: h = fnv1a32(fnv1a32(seed + unit) as decimal text) mod 10,000 / 10,000;
 *   - a namespace `(id, start, end)` takes a unit when the version-1 hash of `"__" + id` with the unit,
 *     fnv1a32(unit + "__" + id) mod 1,000 / 1,000, falls in [start, end);
 *   - bucket ranges: arm i covers [c_i, c_i + coverage * w_i) with c_i the sum of the weights before it;
 *     a hash outside every range is not in the experiment. Raising coverage only widens each range from
 *     its start, so no assigned unit changes arm;
 *   - targeting runs before the hash: a unit whose attributes fail the condition is not in the experiment.
 * mlcycle adds a global holdout (not in GrowthBook's classic SDK API): a unit whose version-2 hash under the
 * holdout's seed is below its share is held out of every experiment and always gets the default model.
 */
import { evaluateCondition, type Expression } from './expression.js';

export interface AssignmentDefinition {
  /** The experiment's key (GrowthBook's `key`). */
  key: string;
  /** The hash seed; the key when absent (GrowthBook's `seed`). */
  seed?: string;
  arms: readonly { id: string; weight: number }[];
  coverage: number;
  namespace?: { id: string; start: number; end: number };
  condition?: Expression;
  holdout?: { seed: string; share: number };
}

export interface Assignment {
  arm: string;
  index: number;
}

/** FNV-1a, 32 bits, over UTF-16 code units, as GrowthBook's `hashFnv32a`. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash += (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24);
  }
  return hash >>> 0;
}

/** GrowthBook's `hash(seed, value, 2)`: a number in [0, 1) in steps of 1/10,000. */
export function hashV2(seed: string, value: string): number {
  return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
}

/** GrowthBook's `hash(seed, value, 1)`, used for namespaces: a number in [0, 1) in steps of 1/1,000. */
export function hashV1(seed: string, value: string): number {
  return (fnv1a32(value + seed) % 1000) / 1000;
}

/** The arms' ranges of the hash, as GrowthBook's `getBucketRanges` (equal weights when they do not sum to about 1). */
export function bucketRanges(weights: readonly number[], coverage: number): [number, number][] {
  const clamped = coverage < 0 ? 0 : coverage > 1 ? 1 : coverage;
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const used = total < 0.99 || total > 1.01 ? weights.map(() => 1 / weights.length) : weights;
  let cumulative = 0;
  return used.map((weight) => {
    const start = cumulative;
    cumulative += weight;
    return [start, start + clamped * weight];
  });
}

/** Compiles a definition into a fast assignment function (no allocation per call beyond none: results are shared). */
export function compileAssignment(definition: AssignmentDefinition): (unit: string, attributes?: Readonly<Record<string, unknown>>) => Assignment | undefined {
  const seed = definition.seed ?? definition.key;
  const ranges = bucketRanges(
    definition.arms.map((arm) => arm.weight),
    definition.coverage,
  );
  const results: Assignment[] = definition.arms.map((arm, index) => Object.freeze({ arm: arm.id, index }));
  const starts = Float64Array.from(ranges, (range) => range[0]);
  const ends = Float64Array.from(ranges, (range) => range[1]);
  const namespace = definition.namespace;
  const namespaceSeed = namespace === undefined ? '' : `__${namespace.id}`;
  const { condition, holdout } = definition;
  const count = results.length;
  return (unit, attributes = {}) => {
    if (unit === '') return undefined;
    if (holdout !== undefined && hashV2(holdout.seed, unit) < holdout.share) return undefined;
    if (condition !== undefined && !evaluateCondition(condition, attributes)) return undefined;
    if (namespace !== undefined) {
      const position = hashV1(namespaceSeed, unit);
      if (position < namespace.start || position >= namespace.end) return undefined;
    }
    const n = hashV2(seed, unit);
    for (let index = 0; index < count; index++) {
      if (n >= (starts[index] as number) && n < (ends[index] as number)) return results[index];
    }
    return undefined;
  };
}

/** One assignment (compile the definition once when assigning many units). */
export function assign(definition: AssignmentDefinition, unit: string, attributes?: Readonly<Record<string, unknown>>): Assignment | undefined {
  return compileAssignment(definition)(unit, attributes);
}
