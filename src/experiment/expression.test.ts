/**
 * The expression language of targeting and response models: precedence, evaluation, missing attributes
 * (false, as GrowthBook), errors that name their column, and a fuzz that nothing but MlcycleError escapes.
 */
import { describe, expect, it } from 'vitest';
import { MlcycleError } from '../error.js';
import { seededRandom } from '../stats/random.js';
import { evaluateCondition, parseExpression, toGrowthBookCondition } from './expression.js';

const value = (source: string, scope: Record<string, unknown> = {}) => parseExpression(source).evaluate(scope);

function errorOf(source: string): MlcycleError {
  try {
    parseExpression(source, 'targeting');
  } catch (error) {
    if (error instanceof MlcycleError) return error;
    throw error;
  }
  throw new Error(`"${source}" parsed`);
}

describe('expressions', () => {
  it('follow the usual precedence', () => {
    expect(value('1 + 2 * 3')).toBe(7);
    expect(value('(1 + 2) * 3')).toBe(9);
    expect(value('10 - 4 - 3')).toBe(3);
    expect(value('-2 * 3 + 1')).toBe(-5);
    expect(value('1 < 2 and 3 > 4 or 5 == 5')).toBe(true);
    expect(value('not 1 == 2 and 2 == 2')).toBe(true);
    expect(value('true or false and false')).toBe(true);
    expect(value('if(2 > 1, "a", "b")')).toBe('a');
    expect(value('clamp(1.5, 0, 1) + max(1, 4, 2) + min(3, -1) + abs(-2)')).toBe(1 + 4 - 1 + 2);
    expect(value('exp(log(3))')).toBeCloseTo(3, 12);
  });

  it('read attributes by path, with lists and membership', () => {
    const scope = { region: 'South', distance: 700, row: { hour: 18 } };
    expect(value('region in ["South", "West"] and distance >= 500', scope)).toBe(true);
    expect(value('region not in ["South"]', scope)).toBe(false);
    expect(value('row.hour * 2', scope)).toBe(36);
    expect(parseExpression('row.hour > 3 and region == "x"').identifiers).toEqual(['row.hour', 'region']);
  });

  it('treat a missing attribute or a type mismatch as false, never an error', () => {
    expect(evaluateCondition(parseExpression('country == "US"'), {})).toBe(false);
    expect(evaluateCondition(parseExpression('country != "US"'), {})).toBe(false);
    expect(evaluateCondition(parseExpression('age > 3'), { age: 'old' })).toBe(false);
    expect(evaluateCondition(parseExpression('country in ["US"]'), {})).toBe(false);
    expect(value('missing + 1')).toBeUndefined();
    expect(evaluateCondition(parseExpression('not missing'), {})).toBe(true);
  });

  it('name the column of a syntax error with a caret', () => {
    const cases: [string, number, RegExp][] = [
      ['region ==', 10, /expected a value after "=="/],
      ['a = 1', 3, /use "==" to compare/],
      ['(a > 1', 7, /expected "\)" to close the "\(" at column 1/],
      ['a > 1 b', 7, /unexpected "b" after a complete expression/],
      ['"open', 1, /a string that is never closed/],
      ['nope(1)', 1, /unknown function "nope"/],
      ['if(1, 2)', 1, /if\(\) takes 3 arguments, got 2/],
      ['a # b', 3, /unexpected "#"/],
      ['', 1, /the expression is empty/],
      ['x in [1, 2', 11, /expected "]" to close the list/],
    ];
    for (const [source, column, message] of cases) {
      const error = errorOf(source);
      expect(error.code, source).toBe('invalid_input');
      expect(error.message, source).toMatch(new RegExp(`^targeting: column ${column}: `));
      expect(error.message, source).toMatch(message);
      expect(error.message.split('\n')[2]?.indexOf('^'), source).toBe(2 + column - 1);
      expect(error.issues[0]).toMatchObject({ path: 'targeting', column });
    }
  });

  it('throw nothing but MlcycleError on random input (fuzz)', () => {
    const random = seededRandom(17);
    const alphabet = ['a', 'b.c', ' ', '(', ')', '[', ']', ',', '"', "'", '1', '2.5', 'e3', '==', '!=', '<', '>=', '+', '-', '*', '/', 'and', 'or', 'not', 'in', 'if', 'min', 'true', 'null', '#', '='];
    let parsed = 0;
    for (let round = 0; round < 20_000; round++) {
      const length = 1 + Math.floor(random() * 12);
      const source = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(random() < 0.5 ? ' ' : '');
      try {
        const expression = parseExpression(source);
        parsed += 1;
        expression.evaluate({ a: 1, b: { c: 'x' } });
      } catch (error) {
        expect(error, source).toBeInstanceOf(MlcycleError);
      }
    }
    expect(parsed).toBeGreaterThan(500);
  });

  it('translate the comparison subset to GrowthBook conditions, and refuse the rest', () => {
    expect(toGrowthBookCondition(parseExpression('region in ["a", "b"] and not (distance < 5 or hour >= -1)'))).toEqual({
      $and: [{ region: { $in: ['a', 'b'] } }, { $not: { $or: [{ distance: { $lt: 5 } }, { hour: { $gte: -1 } }] } }],
    });
    expect(() => toGrowthBookCondition(parseExpression('a + 1 > 2'))).toThrow(/only and, or, not and comparisons/);
  });
});
