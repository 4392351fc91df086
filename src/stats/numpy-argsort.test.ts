// numpyArgsort against np.argsort of numpy 1.24.2 (test/fixtures/tune/argsort-reference.py): the same
// order of indices, ties included.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numpyArgsort } from './numpy-argsort.js';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/tune/argsort-reference.json', import.meta.url), 'utf8')) as { cases: { values: number[]; order: number[] }[] };

describe("numpy's argsort", () => {
  it('orders equal values as numpy does, on every reference array', () => {
    for (const { values, order } of fixture.cases) expect(Array.from(numpyArgsort(values))).toEqual(order);
  });

  it('sorts: every index once, values ascending', () => {
    const values = Array.from({ length: 500 }, (_, index) => (index * 7919) % 13);
    const order = numpyArgsort(values);
    expect([...order].sort((a, b) => a - b)).toEqual(values.map((_, index) => index));
    for (let i = 1; i < order.length; i++) expect(values[order[i] as number] as number).toBeGreaterThanOrEqual(values[order[i - 1] as number] as number);
  });
});
