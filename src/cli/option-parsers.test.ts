import { describe, expect, it } from 'vitest';
import { collect, parseFraction, parseList, parsePositiveInteger, parseSeconds, parseSeed, parseWholeNumber } from './option-parsers.js';

describe('option parsers', () => {
  it('parse good values', () => {
    expect(parsePositiveInteger('12', '--rows')).toBe(12);
    expect(parseSeed('-3', '--seed')).toBe(-3);
    expect(parseSeed('0', '--seed', 0)).toBe(0);
    expect(parseWholeNumber('65535', '--port', '0 to 65535', { min: 0, max: 65535 })).toBe(65535);
    expect(parseSeconds('1.5', '--stall-seconds', 1)).toBe(1.5);
    expect(parseFraction('0.95', '--level')).toBe(0.95);
    expect(parseList(' a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(collect('b=2', ['a=1'])).toEqual(['a=1', 'b=2']);
  });

  it('refuse bad values as usage errors naming the option and echoing the value', () => {
    const cases: [() => unknown, string][] = [
      [() => parsePositiveInteger('0', '--rows'), '--rows: expected a positive whole number, got "0"'],
      [() => parsePositiveInteger('1.5', 'version'), 'version: expected a positive whole number, got "1.5"'],
      [() => parseSeed('x', '--seed'), '--seed: expected a whole number, got "x"'],
      [() => parseSeed('-1', '--seed', 0), '--seed: expected a whole number >= 0, got "-1"'],
      [() => parseWholeNumber('65536', '--port', '0 to 65535', { min: 0, max: 65535 }), '--port: expected 0 to 65535, got "65536"'],
      [() => parseSeconds('0.5', '--stall-seconds', 1), '--stall-seconds: expected a number of seconds, at least 1, got "0.5"'],
      [() => parseSeconds('-1', '--timeout', 0), '--timeout: expected a number of seconds, got "-1"'],
      [() => parseFraction('1', '--level'), '--level: expected a number between 0 and 1, got "1"'],
    ];
    for (const [parse, message] of cases) {
      expect(parse).toThrow(message);
      try {
        parse();
      } catch (error) {
        expect((error as { code?: string }).code).toBe('usage');
      }
    }
  });
});
