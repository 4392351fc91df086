/**
 * Assignment agrees with GrowthBook's own SDK (`@growthbook/growthbook`, the JS SDK teams embed): for
 * definitions with unequal weights, partial coverage, a namespace range and a targeting condition (our
 * expression language translated to GrowthBook's MongoDB-style condition), every one of 100,000 unit ids,
 * with varied attributes, gets the same answer: in the experiment or not, and the same arm.
 */
import { GrowthBook, type ConditionInterface, type Experiment } from '@growthbook/growthbook';
import { describe, expect, it } from 'vitest';
import { bucketRanges, compileAssignment, hashV2, type AssignmentDefinition } from '../src/experiment/assignment.js';
import { parseExpression, toGrowthBookCondition } from '../src/experiment/expression.js';
import { seededRandom } from '../src/stats/random.js';

const UNITS = 100_000;
const REGIONS = ['Northeast', 'South', 'Midwest', 'West', 'Territories'];

interface Case {
  name: string;
  definition: AssignmentDefinition;
}

const CASES: Case[] = [
  { name: 'unequal weights', definition: { key: 'weights', arms: [{ id: 'a', weight: 0.2 }, { id: 'b', weight: 0.3 }, { id: 'c', weight: 0.5 }], coverage: 1 } },
  { name: 'partial coverage and a seed', definition: { key: 'coverage', seed: 'some-seed', arms: [{ id: 'control', weight: 0.5 }, { id: 'treatment', weight: 0.5 }], coverage: 0.6 } },
  { name: 'a namespace range', definition: { key: 'namespaced', arms: [{ id: 'control', weight: 0.4 }, { id: 'treatment', weight: 0.6 }], coverage: 0.9, namespace: { id: 'alerts', start: 0.25, end: 0.75 } } },
  {
    name: 'a targeting condition',
    definition: {
      key: 'targeted',
      arms: [{ id: 'control', weight: 1 / 3 }, { id: 'b', weight: 1 / 3 }, { id: 'c', weight: 1 / 3 }],
      coverage: 0.8,
      namespace: { id: 'alerts', start: 0, end: 0.5 },
      condition: parseExpression('(region in ["Northeast", "South"] and distance >= 500) or not (hour < 18)', 'targeting'),
    },
  },
];

function attributesOf(random: () => number, index: number): Record<string, string | number> {
  return { id: `passenger-${index}-${Math.floor(random() * 1e6)}`, region: REGIONS[Math.floor(random() * REGIONS.length)] as string, distance: Math.round(random() * 2500), hour: Math.floor(random() * 24) };
}

describe('assignment agrees with the GrowthBook SDK', () => {
  for (const { name, definition } of CASES) {
    it(`${name}: zero disagreements over ${UNITS.toLocaleString('en-US')} units`, () => {
      const ours = compileAssignment(definition);
      const growthbook = new GrowthBook({ attributes: {} });
      const experiment: Experiment<string> = {
        key: definition.key,
        variations: definition.arms.map((arm) => arm.id) as [string, string, ...string[]],
        weights: definition.arms.map((arm) => arm.weight),
        coverage: definition.coverage,
        hashVersion: 2,
        ...(definition.seed === undefined ? {} : { seed: definition.seed }),
        ...(definition.namespace === undefined ? {} : { namespace: [definition.namespace.id, definition.namespace.start, definition.namespace.end] as [string, number, number] }),
        ...(definition.condition === undefined ? {} : { condition: toGrowthBookCondition(definition.condition) as ConditionInterface }),
      };
      const random = seededRandom(42);
      let disagreements = 0;
      let inExperiment = 0;
      for (let index = 0; index < UNITS; index++) {
        const attributes = attributesOf(random, index);
        void growthbook.setAttributes(attributes);
        const theirs = growthbook.run(experiment);
        const mine = ours(String(attributes.id), attributes);
        const same = theirs.inExperiment ? mine !== undefined && mine.index === theirs.variationId : mine === undefined;
        if (!same) disagreements += 1;
        if (mine !== undefined) inExperiment += 1;
      }
      expect(disagreements).toBe(0);
      // Each case really exercises its feature: some units in, some out where coverage, namespace or targeting apply.
      expect(inExperiment).toBeGreaterThan(UNITS * 0.1);
      if (definition.coverage < 1 || definition.namespace !== undefined || definition.condition !== undefined) expect(inExperiment).toBeLessThan(UNITS * 0.95);
    }, 120_000);
  }

  it('raising coverage never moves an assigned unit', () => {
    const arms = [{ id: 'control', weight: 0.3 }, { id: 'treatment', weight: 0.7 }];
    const before = compileAssignment({ key: 'grow', arms, coverage: 0.2 });
    const after = compileAssignment({ key: 'grow', arms, coverage: 0.7 });
    let assigned = 0;
    for (let index = 0; index < 20_000; index++) {
      const first = before(`u${index}`);
      if (first === undefined) continue;
      assigned += 1;
      expect(after(`u${index}`)?.arm).toBe(first.arm);
    }
    expect(assigned).toBeGreaterThan(2000);
  });

  it('hashes and ranges as GrowthBook documents them', () => {
    // Values from GrowthBook's SDK test cases (hash version 2) as its own function computes them.
    const random = seededRandom(3);
    for (let index = 0; index < 1000; index++) {
      const seed = `s${Math.floor(random() * 100)}`;
      const value = String(Math.floor(random() * 1e9));
      const reference = new GrowthBook({ attributes: { id: value } }).run({ key: seed, variations: [0, 1], hashVersion: 2 });
      const n = hashV2(seed, value);
      expect(reference.bucket).toBe(n);
    }
    expect(bucketRanges([0.2, 0.3, 0.5], 0.5)).toEqual([
      [0, 0.1],
      [0.2, 0.35],
      [0.5, 0.75],
    ]);
  });
});
