import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RUN_ATTRIBUTES, type FilterComparison, type FilterExpression, type FilterField, type RunOrder } from '../../store/run-filter.js';
import { formatFilter, formatOrderBy } from './format-filter.js';
import { parseFilter, parseOrderBy } from './parse-filter.js';

const metric = (key: string): FilterField => ({ entity: 'metric', key });
const param = (key: string): FilterField => ({ entity: 'param', key });

describe('parseFilter', () => {
  it("reads MLflow's documented examples", () => {
    expect(parseFilter("metrics.auc > 0.8 and params.lr = '0.1' and tags.x LIKE 'a%' and attributes.status = 'FINISHED'")).toEqual({
      kind: 'and',
      operands: [
        { kind: 'comparison', field: metric('auc'), comparator: '>', value: 0.8 },
        { kind: 'comparison', field: param('lr'), comparator: '=', value: '0.1' },
        { kind: 'comparison', field: { entity: 'tag', key: 'x' }, comparator: 'LIKE', value: 'a%' },
        { kind: 'comparison', field: { entity: 'attribute', key: 'status' }, comparator: '=', value: 'FINISHED' },
      ],
    });
    expect(parseFilter('metrics.`val loss` <= -1.5e-3')).toEqual({ kind: 'comparison', field: metric('val loss'), comparator: '<=', value: -0.0015 });
    expect(parseFilter('params."batch size" != "32"')).toEqual({ kind: 'comparison', field: param('batch size'), comparator: '!=', value: '32' });
    expect(parseFilter("datasets.digest IN ('abc', 'def')")).toEqual({ kind: 'comparison', field: { entity: 'dataset', key: 'digest' }, comparator: 'IN', value: ['abc', 'def'] });
    expect(parseFilter('created >= 1700000000000')).toEqual({ kind: 'comparison', field: { entity: 'attribute', key: 'start_time' }, comparator: '>=', value: 1700000000000 });
    expect(parseFilter("run.`run name` ILIKE '%Baseline%'")).toMatchObject({ field: { entity: 'attribute', key: 'run_name' }, comparator: 'ILIKE' });
    expect(parseFilter('metric.train/loss < 2 AND metrics.a.b = 1')).toMatchObject({ operands: [{ field: metric('train/loss') }, { field: metric('a.b') }] });
    expect(parseFilter("tags.owner = 'it''s'")).toMatchObject({ value: "it's" });
    expect(parseFilter('   ')).toBeUndefined();
  });

  it('adds OR, parentheses, IN and NOT IN with AND binding tighter than OR', () => {
    expect(parseFilter("metrics.a > 1 or metrics.b < 2 and params.c = 'x'")).toEqual({
      kind: 'or',
      operands: [
        { kind: 'comparison', field: metric('a'), comparator: '>', value: 1 },
        { kind: 'and', operands: [{ kind: 'comparison', field: metric('b'), comparator: '<', value: 2 }, { kind: 'comparison', field: param('c'), comparator: '=', value: 'x' }] },
      ],
    });
    expect(parseFilter("(metrics.a > 1 OR metrics.b < 2) AND params.c NOT IN ('x', 'y')")).toMatchObject({
      kind: 'and',
      operands: [{ kind: 'or' }, { comparator: 'NOT IN', value: ['x', 'y'] }],
    });
    expect(parseFilter('metrics.a in (1, 2.5)')).toMatchObject({ comparator: 'IN', value: [1, 2.5] });
  });

  const errors: [string, RegExp][] = [
    ['metrics.auc >', /^filter: column 14 at the end: metrics.auc holds numbers: expected a number/],
    ["metrics.auc > '0.8'", /^filter: column 15 at "'0.8'": metrics.auc holds numbers/],
    ['params.lr = 0.1', /^filter: column 13 at "0.1": params.lr holds strings: expected a quoted value such as '0.1'/],
    ["params.lr > '0.1'", /^filter: column 11 at ">": > compares numbers, but params.lr holds strings/],
    ["metrics.auc LIKE '0%'", /column 13 at "LIKE": LIKE compares strings, but metrics.auc holds numbers/],
    ['foo.auc > 1', /^filter: column 1 at "foo.auc": unknown entity "foo"/],
    ["attributes.colour = 'red'", /unknown attribute "colour": one of run_id, run_name, status/],
    ["datasets.size = '1'", /unknown dataset field "size": one of name, digest, context/],
    ['metrics.auc 0.8', /^filter: column 13 at "0.8": expected a comparison operator/],
    ["(metrics.a > 1 or params.b = 'x'", /^filter: column 33 at the end: expected \) to close the \( at column 1/],
    ['metrics.a > 1)', /^filter: column 14 at "\)": this \) closes no open parenthesis/],
    ['metrics.a > 1 metrics.b > 2', /^filter: column 15 at "metrics.b": expected AND, OR or the end of the filter/],
    ["params.a = 'open", /^filter: column 12 at "'open": unterminated string/],
    ['metrics.a > 1 and', /column 18 at the end: expected a comparison such as metrics.auc > 0.8/],
    ["params.a IN ('x' 'y')", /column 18 at "'y'": expected , or \) in the list of IN/],
    ['metrics.a > 1 ; drop table runs', /column 15 at ";": unexpected character/],
    ['()', /column 2 at "\)": empty parentheses/],
    ['metrics. > 1', /the field has no key after the dot/],
  ];
  for (const [text, message] of errors) {
    it(`refuses ${JSON.stringify(text)}, naming the column and token`, () => {
      expect(() => parseFilter(text)).toThrow(message);
      try {
        parseFilter(text);
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'filter', column: expect.any(Number) }] });
      }
    });
  }
});

describe('parseOrderBy', () => {
  it('reads fields with directions, ascending by default', () => {
    expect(parseOrderBy(['metrics.auc DESC', 'params.lr'])).toEqual([
      { field: metric('auc'), direction: 'desc' },
      { field: param('lr'), direction: 'asc' },
    ]);
    expect(parseOrderBy('attributes.start_time asc, metrics.`val loss` desc')).toHaveLength(2);
  });

  it('refuses dataset fields and trailing words', () => {
    expect(() => parseOrderBy('datasets.name')).toThrow(/orderBy: column 1 at "datasets.name": runs cannot be ordered by a dataset field/);
    expect(() => parseOrderBy('metrics.auc DESC x')).toThrow(/orderBy: column 18 at "x": expected ASC, DESC/);
  });
});

// Keys as MLflow allows them: letters, digits, _ - . / and spaces, with no empty path parts.
const keyArbitrary = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_\- ]{1,6}$/), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('/'))
  .filter((key) => key.trim() !== '');
const stringValue = fc.string({ maxLength: 8 });
const numberValue = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 })).map((value) => (Object.is(value, -0) ? 0 : value));

const comparisonArbitrary: fc.Arbitrary<FilterComparison> = fc.oneof(
  fc.record({ key: keyArbitrary, comparator: fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const), value: numberValue }).map(
    ({ key, comparator, value }): FilterComparison => ({ kind: 'comparison', field: metric(key), comparator, value }),
  ),
  fc.record({ entity: fc.constantFrom('param' as const, 'tag' as const), key: keyArbitrary, comparator: fc.constantFrom('=', '!=', 'LIKE', 'ILIKE' as const), value: stringValue }).map(
    ({ entity, key, comparator, value }): FilterComparison => ({ kind: 'comparison', field: { entity, key }, comparator, value }),
  ),
  fc.record({ key: fc.constantFrom('status', 'run_name', 'run_id'), negate: fc.boolean(), values: fc.array(stringValue, { minLength: 1, maxLength: 3 }) }).map(
    ({ key, negate, values }): FilterComparison => ({ kind: 'comparison', field: { entity: 'attribute', key }, comparator: negate ? 'NOT IN' : 'IN', value: values }),
  ),
  fc.record({ key: fc.constantFrom('name', 'digest', 'context'), value: stringValue }).map(
    ({ key, value }): FilterComparison => ({ kind: 'comparison', field: { entity: 'dataset', key }, comparator: '=', value }),
  ),
);

/** Filters in the parser's normal form: no junction directly inside a junction of the same kind. */
const filterArbitrary: fc.Arbitrary<FilterExpression> = fc.letrec<{ filter: FilterExpression; and: FilterExpression; or: FilterExpression }>((tie) => ({
  filter: fc.oneof({ depthSize: 'small', withCrossShrink: true }, comparisonArbitrary, tie('and'), tie('or')),
  and: fc.array(fc.oneof(comparisonArbitrary, tie('or')), { minLength: 2, maxLength: 3 }).map((operands) => ({ kind: 'and' as const, operands })),
  or: fc.array(fc.oneof(comparisonArbitrary, tie('and')), { minLength: 2, maxLength: 3 }).map((operands) => ({ kind: 'or' as const, operands })),
})).filter;

describe('filter text round trip', () => {
  it('parses what it formats back to the same AST', () => {
    fc.assert(
      fc.property(filterArbitrary, (filter) => {
        expect(parseFilter(formatFilter(filter))).toEqual(filter);
      }),
      { numRuns: 500 },
    );
  });

  it('does the same for orderings', () => {
    const orderArbitrary = fc.record({
      field: fc.oneof(keyArbitrary.map(metric), keyArbitrary.map(param), fc.constantFrom(...Object.keys(RUN_ATTRIBUTES)).map((key): FilterField => ({ entity: 'attribute', key }))),
      direction: fc.constantFrom('asc' as const, 'desc' as const),
    });
    fc.assert(
      fc.property(fc.array(orderArbitrary, { minLength: 1, maxLength: 4 }), (orders: RunOrder[]) => {
        expect(parseOrderBy(formatOrderBy(orders))).toEqual(orders);
      }),
    );
  });

  it('never throws anything but an invalid_input error on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          expect(error).toMatchObject({ code: 'invalid_input' });
        }
      }),
      { numRuns: 2000 },
    );
  });
});
