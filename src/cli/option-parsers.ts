/**
 * The command line's option parsers, shared by every command: each names the option and echoes the value
 * on failure as `OPTION: expected WHAT, got "VALUE"`, a usage error (exit code 2). Commander hands values
 * over as strings; a command parses them here before it loads its implementation.
 */
import path from 'node:path';
import { MlcycleError } from '../error.js';

function refuse(option: string, expected: string, value: string): never {
  throw new MlcycleError('usage', `${option}: expected ${expected}, got "${value}"`);
}

/** Appends a repeatable option's value (Commander's collector for `--set a=1 --set b=2`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number in [min, max]; `expected` says what the option takes, e.g. "a whole number >= 0". */
export function parseWholeNumber(value: string, option: string, expected: string, range: { min?: number; max?: number } = {}): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < (range.min ?? -Infinity) || parsed > (range.max ?? Infinity)) refuse(option, expected, value);
  return parsed;
}

/** A positive whole number (a count, a limit, a version). */
export function parsePositiveInteger(value: string, option: string): number {
  return parseWholeNumber(value, option, 'a positive whole number', { min: 1 });
}

/** A seed: any whole number, or only non-negative ones when `min` is 0. */
export function parseSeed(value: string, option: string, min?: number): number {
  return parseWholeNumber(value, option, min === undefined ? 'a whole number' : `a whole number >= ${min}`, min === undefined ? {} : { min });
}

/** A number of seconds of at least `min`. */
export function parseSeconds(value: string, option: string, min: number): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < min) refuse(option, min === 0 ? 'a number of seconds' : `a number of seconds, at least ${min}`, value);
  return seconds;
}

/** A number strictly between 0 and 1 (a confidence level, a probability threshold). */
export function parseFraction(value: string, option: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && parsed < 1)) refuse(option, 'a number between 0 and 1', value);
  return parsed;
}

/** A comma-separated list, each item trimmed, empty items dropped. */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A path given on the command line, resolved against the folder the command runs in. */
export function resolveFromCwd(cwd: string, file: string): string {
  return path.resolve(cwd, file);
}
