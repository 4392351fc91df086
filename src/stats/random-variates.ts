/**
 * Random variates from a seeded uniform generator (`seededRandom`): normal by the Box-Muller transform,
 * gamma by Marsaglia and Tsang's squeeze method (2000, "A Simple Method for Generating Gamma Variables"),
 * chi-square as a gamma. Used by simulations; nothing here reads global randomness.
 */
import type { Random } from './random.js';

/** A standard normal variate (Box-Muller; the second variate of each pair is discarded for simplicity). */
export function standardNormal(random: Random): number {
  let uniform = random();
  while (uniform === 0) uniform = random();
  return Math.sqrt(-2 * Math.log(uniform)) * Math.cos(2 * Math.PI * random());
}

/** A gamma variate with the given shape and scale 1. */
export function gammaVariate(random: Random, shape: number): number {
  if (shape < 1) {
    // Boost the shape by one and correct with a uniform power (Marsaglia and Tsang, section 6).
    let uniform = random();
    while (uniform === 0) uniform = random();
    return gammaVariate(random, shape + 1) * uniform ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const uniform = random();
    if (uniform < 1 - 0.0331 * x ** 4) return d * v;
    if (uniform > 0 && Math.log(uniform) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A chi-square variate with k degrees of freedom. */
export function chiSquareVariate(random: Random, degreesOfFreedom: number): number {
  return 2 * gammaVariate(random, degreesOfFreedom / 2);
}
